// Package ical writes and strictly reads iCalendar text (RFC 5545,
// https://www.rfc-editor.org/rfc/rfc5545): components of properties, content lines
// ended by CRLF and folded at 75 octets, TEXT values escaped. The writer is what the
// voucher's calendar file is made of; the reader refuses anything RFC 5545 does not
// allow in the parts this project uses, so tests can hold the file to the standard.
package ical

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Param is a property parameter, e.g. TZID=America/Sao_Paulo.
type Param struct{ Name, Value string }

// Prop is a property: NAME;PARAM=…:VALUE. Value is written as it is: escape TEXT values
// with Text.
type Prop struct {
	Name   string
	Params []Param
	Value  string
}

// Param returns the value of the named parameter ("" if absent).
func (p Prop) Param(name string) string {
	for _, q := range p.Params {
		if strings.EqualFold(q.Name, name) {
			return q.Value
		}
	}
	return ""
}

// Component is BEGIN:NAME, its properties, its sub-components, END:NAME.
type Component struct {
	Name       string
	Props      []Prop
	Components []*Component
}

// Add appends a property and returns the component, to chain calls.
func (c *Component) Add(name, value string, params ...Param) *Component {
	c.Props = append(c.Props, Prop{Name: name, Params: params, Value: value})
	return c
}

// Props named name, in order.
func (c *Component) All(name string) []Prop {
	var out []Prop
	for _, p := range c.Props {
		if strings.EqualFold(p.Name, name) {
			out = append(out, p)
		}
	}
	return out
}

// Get returns the first property named name.
func (c *Component) Get(name string) (Prop, bool) {
	all := c.All(name)
	if len(all) == 0 {
		return Prop{}, false
	}
	return all[0], true
}

// Sub returns the sub-components named name.
func (c *Component) Sub(name string) []*Component {
	var out []*Component
	for _, s := range c.Components {
		if strings.EqualFold(s.Name, name) {
			out = append(out, s)
		}
	}
	return out
}

// Text escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma get a
// backslash, a line break becomes \n.
func Text(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	r := strings.NewReplacer(`\`, `\\`, `;`, `\;`, `,`, `\,`, "\n", `\n`)
	return r.Replace(s)
}

// Unescape reads a TEXT value back, refusing what §3.3.11 does not allow: a backslash
// before anything but \ ; , n N, and an unescaped ; or , (the properties read here hold
// one value each).
func Unescape(v string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch c {
		case '\\':
			if i+1 == len(v) {
				return "", errors.New("ical: a TEXT value ends with a backslash")
			}
			i++
			switch v[i] {
			case '\\', ';', ',':
				b.WriteByte(v[i])
			case 'n', 'N':
				b.WriteByte('\n')
			default:
				return "", fmt.Errorf("ical: \\%c is not an escape of TEXT", v[i])
			}
		case ';', ',':
			return "", fmt.Errorf("ical: unescaped %q in a TEXT value", c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// Encode writes the component as iCalendar text: CRLF after every line, lines folded so
// that none is longer than 75 octets (§3.1), never inside a UTF-8 character.
func (c *Component) Encode() []byte {
	var b bytes.Buffer
	c.encode(&b)
	return b.Bytes()
}

func (c *Component) encode(b *bytes.Buffer) {
	writeLine(b, "BEGIN:"+c.Name)
	for _, p := range c.Props {
		var l strings.Builder
		l.WriteString(p.Name)
		for _, q := range p.Params {
			l.WriteString(";" + q.Name + "=")
			if strings.ContainsAny(q.Value, `:;,`) {
				l.WriteString(`"` + q.Value + `"`)
			} else {
				l.WriteString(q.Value)
			}
		}
		l.WriteString(":" + p.Value)
		writeLine(b, l.String())
	}
	for _, s := range c.Components {
		s.encode(b)
	}
	writeLine(b, "END:"+c.Name)
}

// MaxLine is the longest a line may be, in octets, CRLF excluded.
const MaxLine = 75

func writeLine(b *bytes.Buffer, line string) {
	limit := MaxLine
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = MaxLine - 1 // the leading space counts
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}
