package domain

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// CodeInvalidCharacters is the validation code of a name or text holding a character
// CheckText refuses.
const CodeInvalidCharacters = "invalid_characters"

// ForbiddenRune returns the first character of s that no name or one-line text Lembra
// stores may hold, with its byte offset; ok is false when there is none. Refused:
//
//   - control characters (category Cc: NUL, U+0001–U+001F, DEL, U+0080–U+009F), tabs
//     and line breaks included: names and template variables are one line;
//   - format characters (category Cf), all of them: the bidirectional controls (U+202A–
//     U+202E RIGHT-TO-LEFT OVERRIDE, U+2066–U+2069) that make a name read backwards on
//     the staff's screen, the zero-width space, non-joiner and joiner (U+200B–U+200D),
//     the word joiner U+2060, the byte order mark U+FEFF, the soft hyphen U+00AD, the
//     invisible operators and tag characters;
//   - the line and paragraph separators U+2028 and U+2029 (categories Zl, Zp);
//   - private-use characters (Co), surrogates (Cs) and bytes that are not UTF-8.
//
// No exception is made for the zero-width joiner and non-joiner, which some scripts
// and emoji sequences use: the names of a Brazilian studio's clients and services are
// written without them, an invisible character in a name is far more often a paste
// accident or a spoof than a need, and a family emoji falls back to its single emoji.
// Letters with accents (ç, ã, é), combining marks, emoji and their variation selectors,
// and ordinary punctuation and spaces (including U+00A0) are all allowed.
func ForbiddenRune(s string) (r rune, offset int, ok bool) {
	for i, c := range s {
		if c == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size <= 1 {
				return c, i, true
			}
		}
		if forbidden(c) {
			return c, i, true
		}
	}
	return 0, 0, false
}

func forbidden(c rune) bool {
	return unicode.In(c, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs, unicode.Zl, unicode.Zp)
}

// CheckText refuses a field's value if it holds a character ForbiddenRune finds: a
// *ValidationError with code invalid_characters naming the field and the character.
func CheckText(field, value string) error {
	r, offset, ok := ForbiddenRune(value)
	if !ok {
		return nil
	}
	return &ValidationError{Field: field, Code: CodeInvalidCharacters, Message: fmt.Sprintf(
		"%s holds an invisible or control character (U+%04X at byte %d); remove it", field, r, offset)}
}

// textProblems runs CheckText over name/value pairs and returns the messages of those
// refused, for validators that report every problem at once (Tenant.Validate).
func textProblems(pairs ...string) []string {
	var out []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if err := CheckText(pairs[i], pairs[i+1]); err != nil {
			out = append(out, err.(*ValidationError).Message)
		}
	}
	return out
}
