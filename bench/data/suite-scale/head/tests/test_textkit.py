import pytest

from textkit import *  # noqa: F403

def test_int_to_roman_0():
    assert int_to_roman(1) == 'I'

def test_int_to_roman_1():
    assert int_to_roman(4) == 'IV'

def test_int_to_roman_2():
    assert int_to_roman(9) == 'IX'

def test_int_to_roman_3():
    assert int_to_roman(14) == 'XIV'

def test_int_to_roman_4():
    assert int_to_roman(40) == 'XL'

def test_int_to_roman_5():
    assert int_to_roman(90) == 'XC'

def test_int_to_roman_6():
    assert int_to_roman(400) == 'CD'

def test_int_to_roman_7():
    assert int_to_roman(1994) == 'MCMXCIV'

def test_int_to_roman_8():
    assert int_to_roman(2024) == 'MMXXIV'

def test_int_to_roman_9():
    assert int_to_roman(3999) == 'MMMCMXCIX'

def test_int_to_roman_10():
    assert int_to_roman(58) == 'LVIII'

def test_int_to_roman_11():
    assert int_to_roman(621) == 'DCXXI'

def test_roman_to_int_0():
    assert roman_to_int('I') == 1

def test_roman_to_int_1():
    assert roman_to_int('IV') == 4

def test_roman_to_int_2():
    assert roman_to_int('IX') == 9

def test_roman_to_int_3():
    assert roman_to_int('XIV') == 14

def test_roman_to_int_4():
    assert roman_to_int('XL') == 40

def test_roman_to_int_5():
    assert roman_to_int('XC') == 90

def test_roman_to_int_6():
    assert roman_to_int('CD') == 400

def test_roman_to_int_7():
    assert roman_to_int('MCMXCIV') == 1994

def test_roman_to_int_8():
    assert roman_to_int('MMXXIV') == 2024

def test_roman_to_int_9():
    assert roman_to_int('MMMCMXCIX') == 3999

def test_roman_to_int_10():
    assert roman_to_int('lviii') == 58

def test_roman_to_int_11():
    assert roman_to_int(' DCXXI ') == 621

def test_levenshtein_0():
    assert levenshtein('kitten', 'sitting') == 3

def test_levenshtein_1():
    assert levenshtein('', 'abc') == 3

def test_levenshtein_2():
    assert levenshtein('abc', '') == 3

def test_levenshtein_3():
    assert levenshtein('flaw', 'lawn') == 2

def test_levenshtein_4():
    assert levenshtein('same', 'same') == 0

def test_levenshtein_5():
    assert levenshtein('a', 'b') == 1

def test_levenshtein_6():
    assert levenshtein('gumbo', 'gambol') == 2

def test_levenshtein_7():
    assert levenshtein('book', 'back') == 2

def test_levenshtein_8():
    assert levenshtein('abc', 'cab') == 2

def test_levenshtein_9():
    assert levenshtein('intention', 'execution') == 5

def test_levenshtein_10():
    assert levenshtein('short', 'ports') == 3

def test_levenshtein_11():
    assert levenshtein('x', 'xyz') == 2

def test_camel_to_snake_0():
    assert camel_to_snake('parseHTTPResponse') == 'parse_http_response'

def test_camel_to_snake_1():
    assert camel_to_snake('simple') == 'simple'

def test_camel_to_snake_2():
    assert camel_to_snake('CamelCase') == 'camel_case'

def test_camel_to_snake_3():
    assert camel_to_snake('getID') == 'get_id'

def test_camel_to_snake_4():
    assert camel_to_snake('HTMLParser') == 'html_parser'

def test_camel_to_snake_5():
    assert camel_to_snake('version2Update') == 'version2_update'

def test_camel_to_snake_6():
    assert camel_to_snake('aB') == 'a_b'

def test_camel_to_snake_7():
    assert camel_to_snake('already_snake') == 'already_snake'

def test_camel_to_snake_8():
    assert camel_to_snake('XMLHttpRequest') == 'xml_http_request'

def test_camel_to_snake_9():
    assert camel_to_snake('userId') == 'user_id'

def test_camel_to_snake_10():
    assert camel_to_snake('A') == 'a'

def test_camel_to_snake_11():
    assert camel_to_snake('ioError') == 'io_error'

def test_snake_to_camel_0():
    assert snake_to_camel('parse_http_response') == 'parseHttpResponse'

def test_snake_to_camel_1():
    assert snake_to_camel('simple') == 'simple'

def test_snake_to_camel_2():
    assert snake_to_camel('_leading') == 'leading'

def test_snake_to_camel_3():
    assert snake_to_camel('a_b_c') == 'aBC'

def test_snake_to_camel_4():
    assert snake_to_camel('') == ''

def test_snake_to_camel_5():
    assert snake_to_camel('user_id', True) == 'UserId'

def test_snake_to_camel_6():
    assert snake_to_camel('x', True) == 'X'

def test_snake_to_camel_7():
    assert snake_to_camel('double__under') == 'doubleUnder'

def test_snake_to_camel_8():
    assert snake_to_camel('trailing_') == 'trailing'

def test_snake_to_camel_9():
    assert snake_to_camel('io_error', True) == 'IoError'

def test_snake_to_camel_10():
    assert snake_to_camel('many_small_words_here') == 'manySmallWordsHere'

def test_snake_to_camel_11():
    assert snake_to_camel('UPPER_CASE') == 'upperCase'

def test_run_length_encode_0():
    assert run_length_encode('aaabcc') == '3a1b2c'

def test_run_length_encode_1():
    assert run_length_encode('') == ''

def test_run_length_encode_2():
    assert run_length_encode('a') == '1a'

def test_run_length_encode_3():
    assert run_length_encode('abc') == '1a1b1c'

def test_run_length_encode_4():
    assert run_length_encode('aaaa') == '4a'

def test_run_length_encode_5():
    assert run_length_encode('aabbaa') == '2a2b2a'

def test_run_length_encode_6():
    assert run_length_encode('zzzzzzzzzzzz') == '12z'

def test_run_length_encode_7():
    assert run_length_encode('ab ba') == '1a1b1 1b1a'

def test_run_length_encode_8():
    assert run_length_encode('112233') == '212223'

def test_run_length_encode_9():
    assert run_length_encode('xxyxx') == '2x1y2x'

def test_run_length_encode_10():
    assert run_length_encode('mississippi') == '1m1i2s1i2s1i2p1i'

def test_run_length_encode_11():
    assert run_length_encode('  ') == '2 '

def test_run_length_decode_0():
    assert run_length_decode('3a1b2c') == 'aaabcc'

def test_run_length_decode_1():
    assert run_length_decode('') == ''

def test_run_length_decode_2():
    assert run_length_decode('1a') == 'a'

def test_run_length_decode_3():
    assert run_length_decode('12z') == 'zzzzzzzzzzzz'

def test_run_length_decode_4():
    assert run_length_decode('2a2b2a') == 'aabbaa'

def test_run_length_decode_5():
    assert run_length_decode('10x1y') == 'xxxxxxxxxxy'

def test_run_length_decode_6():
    assert run_length_decode('1 1-') == ' -'

def test_run_length_decode_7():
    assert run_length_decode('3m') == 'mmm'

def test_run_length_decode_8():
    assert run_length_decode('1a1b1c') == 'abc'

def test_run_length_decode_9():
    assert run_length_decode('4 ') == '    '

def test_run_length_decode_10():
    assert run_length_decode('2a1b') == 'aab'

def test_run_length_decode_11():
    assert run_length_decode('1q') == 'q'

def test_parse_duration_0():
    assert parse_duration('1h30m') == 5400.0

def test_parse_duration_1():
    assert parse_duration('90s') == 90.0

def test_parse_duration_2():
    assert parse_duration('2d 4h') == 187200.0

def test_parse_duration_3():
    assert parse_duration('250ms') == 0.25

def test_parse_duration_4():
    assert parse_duration('1.5h') == 5400.0

def test_parse_duration_5():
    assert parse_duration('0s') == 0.0

def test_parse_duration_6():
    assert parse_duration('1m1s') == 61.0

def test_parse_duration_7():
    assert parse_duration('3d') == 259200.0

def test_parse_duration_8():
    assert parse_duration('10ms') == 0.01

def test_parse_duration_9():
    assert parse_duration('2h 2m 2s') == 7322.0

def test_parse_duration_10():
    assert parse_duration('0.25m') == 15.0

def test_parse_duration_11():
    assert parse_duration('1d1h1m1s') == 90061.0

def test_format_bytes_0():
    assert format_bytes(0) == '0 B'

def test_format_bytes_1():
    assert format_bytes(512) == '512 B'

def test_format_bytes_2():
    assert format_bytes(1024) == '1 KiB'

def test_format_bytes_3():
    assert format_bytes(1536) == '1.5 KiB'

def test_format_bytes_4():
    assert format_bytes(1048576) == '1 MiB'

def test_format_bytes_5():
    assert format_bytes(5368709120) == '5 GiB'

def test_format_bytes_6():
    assert format_bytes(1000, False) == '1 kB'

def test_format_bytes_7():
    assert format_bytes(1500, False) == '1.5 kB'

def test_format_bytes_8():
    assert format_bytes(2000000, False) == '2 MB'

def test_format_bytes_9():
    assert format_bytes(1023) == '1023 B'

def test_format_bytes_10():
    assert format_bytes(3377699720527872) == '3072 TiB'

def test_format_bytes_11():
    assert format_bytes(999, False) == '999 B'

def test_luhn_check_0():
    assert luhn_check('4539 1488 0343 6467') == True

def test_luhn_check_1():
    assert luhn_check('8273 1232 7352 0569') == False

def test_luhn_check_2():
    assert luhn_check('79927398713') == True

def test_luhn_check_3():
    assert luhn_check('0') == False

def test_luhn_check_4():
    assert luhn_check('') == False

def test_luhn_check_5():
    assert luhn_check('12a4') == False

def test_luhn_check_6():
    assert luhn_check('4111111111111111') == True

def test_luhn_check_7():
    assert luhn_check('4111111111111112') == False

def test_luhn_check_8():
    assert luhn_check('059') == True

def test_luhn_check_9():
    assert luhn_check('18') == True

def test_luhn_check_10():
    assert luhn_check('6011 0009 9013 9424') == True

def test_luhn_check_11():
    assert luhn_check('378282246310005') == True

def test_soundex_0():
    assert soundex('Robert') == 'R163'

def test_soundex_1():
    assert soundex('Rupert') == 'R163'

def test_soundex_2():
    assert soundex('Rubin') == 'R150'

def test_soundex_3():
    assert soundex('Ashcraft') == 'A261'

def test_soundex_4():
    assert soundex('Tymczak') == 'T522'

def test_soundex_5():
    assert soundex('Pfister') == 'P236'

def test_soundex_6():
    assert soundex('Honeyman') == 'H555'

def test_soundex_7():
    assert soundex('') == ''

def test_soundex_8():
    assert soundex('Lee') == 'L000'

def test_soundex_9():
    assert soundex('Gutierrez') == 'G362'

def test_soundex_10():
    assert soundex('Jackson') == 'J250'

def test_soundex_11():
    assert soundex('123') == ''

def test_balanced_0():
    assert balanced('()') == True

def test_balanced_1():
    assert balanced('([]{})') == True

def test_balanced_2():
    assert balanced('(]') == False

def test_balanced_3():
    assert balanced('((') == False

def test_balanced_4():
    assert balanced('') == True

def test_balanced_5():
    assert balanced('a(b)c') == True

def test_balanced_6():
    assert balanced('{[()()]}') == True

def test_balanced_7():
    assert balanced(')(') == False

def test_balanced_8():
    assert balanced('([)]') == False

def test_balanced_9():
    assert balanced('[[[]]]') == True

def test_balanced_10():
    assert balanced('{') == False

def test_balanced_11():
    assert balanced('no brackets') == True

def test_wrap_0():
    assert wrap('the quick brown fox', 10) == ['the quick', 'brown fox']

def test_wrap_1():
    assert wrap('', 5) == []

def test_wrap_2():
    assert wrap('word', 2) == ['word']

def test_wrap_3():
    assert wrap('a b c d e', 3) == ['a b', 'c d', 'e']

def test_wrap_4():
    assert wrap('one two', 7) == ['one two']

def test_wrap_5():
    assert wrap('one two', 6) == ['one', 'two']

def test_wrap_6():
    assert wrap('supercalifragilistic is long', 8) == ['supercalifragilistic', 'is long']

def test_wrap_7():
    assert wrap('x', 1) == ['x']

def test_wrap_8():
    assert wrap('aa bb cc dd', 5) == ['aa bb', 'cc dd']

def test_wrap_9():
    assert wrap('many words in a line of text', 12) == ['many words', 'in a line of', 'text']

def test_wrap_10():
    assert wrap('  spaced   out  ', 4) == ['spaced', 'out']

def test_wrap_11():
    assert wrap('tail end', 20) == ['tail end']

def test_slugify_0():
    assert slugify('Hello, World!') == 'hello-world'

def test_slugify_1():
    assert slugify('  many   spaces ') == 'many-spaces'

def test_slugify_2():
    assert slugify('Crème brûlée') == 'creme-brulee'

def test_slugify_3():
    assert slugify('already-a-slug') == 'already-a-slug'

def test_slugify_4():
    assert slugify('x') == 'x'

def test_is_palindrome_0():
    assert is_palindrome('A man, a plan, a canal: Panama') == True

def test_is_palindrome_1():
    assert is_palindrome('abc') == False

def test_is_palindrome_2():
    assert is_palindrome('') == True

def test_is_palindrome_3():
    assert is_palindrome('No lemon, no melon') == True

def test_is_palindrome_4():
    assert is_palindrome('ab') == False

def test_word_count_0():
    assert word_count('a b a') == [('a', 2), ('b', 1)]

def test_word_count_1():
    assert word_count('The the THE') == [('the', 3)]

def test_word_count_2():
    assert word_count('') == []

def test_word_count_3():
    assert word_count('one, two; two!') == [('two', 2), ('one', 1)]

def test_word_count_4():
    assert word_count('x y z') == [('x', 1), ('y', 1), ('z', 1)]

def test_caesar_0():
    assert caesar('abc', 1) == 'bcd'

def test_caesar_1():
    assert caesar('xyz', 3) == 'abc'

def test_caesar_2():
    assert caesar('Hello, World', 13) == 'Uryyb, Jbeyq'

def test_caesar_3():
    assert caesar('ABC', -1) == 'ZAB'

def test_caesar_4():
    assert caesar('', 5) == ''

def test_title_case_0():
    assert title_case('the lord of the rings') == 'The Lord of the Rings'

def test_title_case_1():
    assert title_case('a tale') == 'A Tale'

def test_title_case_2():
    assert title_case('HELLO WORLD') == 'Hello World'

def test_title_case_3():
    assert title_case('war and peace') == 'War and Peace'

def test_title_case_4():
    assert title_case('x') == 'X'

def test_chunk_0():
    assert chunk([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]

def test_chunk_1():
    assert chunk([], 3) == []

def test_chunk_2():
    assert chunk([1], 1) == [[1]]

def test_chunk_3():
    assert chunk([1, 2, 3], 5) == [[1, 2, 3]]

def test_chunk_4():
    assert chunk([1, 2, 3, 4], 2) == [[1, 2], [3, 4]]

def test_flatten_0():
    assert flatten([1, [2, [3, [4]]]]) == [1, 2, 3, 4]

def test_flatten_1():
    assert flatten([]) == []

def test_flatten_2():
    assert flatten([(1, 2), [3]]) == [1, 2, 3]

def test_flatten_3():
    assert flatten([[[]]]) == []

def test_flatten_4():
    assert flatten([1, 2, 3]) == [1, 2, 3]

def test_reverse_words_0():
    assert reverse_words('one two three') == 'three two one'

def test_reverse_words_1():
    assert reverse_words('') == ''

def test_reverse_words_2():
    assert reverse_words('single') == 'single'

def test_reverse_words_3():
    assert reverse_words('  a  b ') == 'b a'

def test_reverse_words_4():
    assert reverse_words('x y') == 'y x'

def test_int_to_roman_rejects_0():
    with pytest.raises(ValueError):
        int_to_roman(0)

def test_roman_to_int_rejects_1():
    with pytest.raises(ValueError):
        roman_to_int('IIII')

def test_run_length_decode_rejects_2():
    with pytest.raises(ValueError):
        run_length_decode('a')

def test_parse_duration_rejects_3():
    with pytest.raises(ValueError):
        parse_duration('5')
