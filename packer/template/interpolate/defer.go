package interpolate

import (
	"fmt"
	"strconv"
	"strings"
	"text/template/parse"
)

// deferRules says which actions cannot be rendered yet.
type deferRules struct {
	data  bool // Data is nil: actions reading {{ . }}, {{ .Field }} or $ wait
	build bool // BuildData is nil: actions calling build wait
}

// deferUnknowns replaces, in the parsed tree, every action that needs what
// this render does not have with a placeholder, and returns what each
// placeholder stands for: the action as it was written, for restoreDeferred
// to put into the output so that a later render finds it unchanged. src is
// the text the tree was parsed from: node positions are offsets into it.
func deferUnknowns(tree *parse.Tree, src string, rules deferRules) []string {
	if !rules.data && !rules.build {
		return nil
	}
	d := &deferrer{src: src, rules: rules, vars: map[string]bool{}}
	d.list(tree.Root, true)
	return d.kept
}

// placeholderPrefix starts the mark of where a kept action goes in the
// output, followed by its index and a NUL. NUL does not occur in templates:
// JSON strings only hold it escaped.
const placeholderPrefix = "\x00deferred-"

func placeholder(i int) string { return fmt.Sprintf("%s%d\x00", placeholderPrefix, i) }

// restoreDeferred puts the kept actions in place of their placeholders, in
// one pass over the output. A "{" of the output just before one would merge
// with its "{{" into "{{{" and break the later render, so that "{" is
// itself written as an action.
func restoreDeferred(out string, kept []string) string {
	if len(kept) == 0 {
		return out
	}
	var b strings.Builder
	for {
		at := strings.Index(out, placeholderPrefix)
		if at < 0 {
			b.WriteString(out)
			return b.String()
		}
		before := out[:at]
		rest := out[at+len(placeholderPrefix):]
		end := strings.IndexByte(rest, 0)
		i, err := strconv.Atoi(rest[:max(end, 0)])
		if end < 0 || err != nil || i < 0 || i >= len(kept) {
			// Not one of ours: copy it through.
			b.WriteString(out[:at+len(placeholderPrefix)])
			out = rest
			continue
		}
		if strings.HasSuffix(before, "{") {
			before = before[:len(before)-1] + `{{"{"}}`
		}
		b.WriteString(before)
		b.WriteString(kept[i])
		out = rest[end+1:]
	}
}

type deferrer struct {
	src   string
	rules deferRules
	kept  []string // the source of each deferred action, by placeholder
	// vars are the $variables declared by deferred actions: every use of
	// them must wait too.
	vars map[string]bool
}

// list walks a list of nodes. dotIsData says whether {{ . }} in it is the
// render's Data (it is not inside range and with, which rebind it).
func (d *deferrer) list(l *parse.ListNode, dotIsData bool) {
	if l == nil {
		return
	}
	for i, n := range l.Nodes {
		switch n := n.(type) {
		case *parse.ActionNode:
			if d.pipe(n.Pipe, dotIsData) {
				d.declare(n.Pipe)
				l.Nodes[i] = d.text(n)
			}
		case *parse.TemplateNode:
			if d.pipe(n.Pipe, dotIsData) {
				l.Nodes[i] = d.text(n)
			}
		case *parse.IfNode:
			if d.pipe(n.Pipe, dotIsData) {
				d.declare(n.Pipe)
				l.Nodes[i] = d.text(n)
				continue
			}
			d.list(n.List, dotIsData)
			d.list(n.ElseList, dotIsData)
		case *parse.RangeNode:
			if d.pipe(n.Pipe, dotIsData) {
				d.declare(n.Pipe)
				l.Nodes[i] = d.text(n)
				continue
			}
			d.list(n.List, false)
			d.list(n.ElseList, dotIsData)
		case *parse.WithNode:
			if d.pipe(n.Pipe, dotIsData) {
				d.declare(n.Pipe)
				l.Nodes[i] = d.text(n)
				continue
			}
			d.list(n.List, false)
			d.list(n.ElseList, dotIsData)
		}
	}
}

// declare remembers the variables a deferred pipeline declares.
func (d *deferrer) declare(p *parse.PipeNode) {
	for _, v := range p.Decl {
		d.vars[v.Ident[0]] = true
	}
}

// pipe reports whether a pipeline needs what the render does not have.
func (d *deferrer) pipe(p *parse.PipeNode, dotIsData bool) bool {
	if p == nil {
		return false
	}
	for _, cmd := range p.Cmds {
		for _, arg := range cmd.Args {
			if d.arg(arg, dotIsData) {
				return true
			}
		}
	}
	return false
}

func (d *deferrer) arg(n parse.Node, dotIsData bool) bool {
	switch n := n.(type) {
	case *parse.DotNode, *parse.FieldNode:
		return d.rules.data && dotIsData
	case *parse.VariableNode:
		if n.Ident[0] == "$" {
			return d.rules.data
		}
		return d.vars[n.Ident[0]]
	case *parse.IdentifierNode:
		return d.rules.build && n.Ident == "build"
	case *parse.ChainNode:
		return d.arg(n.Node, dotIsData)
	case *parse.PipeNode:
		return d.pipe(n, dotIsData)
	}
	return false
}

// text returns a text node holding n as it was written in the source.
// text returns the placeholder text node for the deferred node n, keeping
// n as it was written in the source. Its outer trim markers ("{{- " and
// " -}}") are dropped: this render has trimmed the text beside it already,
// and in the later render they would trim output that is not to be.
func (d *deferrer) text(n parse.Node) *parse.TextNode {
	written := n.String() // equivalent, though spacing may differ
	if start, end, ok := sourceSpan(d.src, int(n.Position()), isControl(n)); ok {
		written = d.src[start:end]
	}
	if len(written) >= 4 && written[2] == '-' && isSpace(written[3]) {
		written = "{{" + written[3:]
	}
	if l := len(written); l >= 4 && written[l-3] == '-' && isSpace(written[l-4]) {
		written = written[:l-3] + "}}"
	}
	d.kept = append(d.kept, written)
	return &parse.TextNode{NodeType: parse.NodeText, Pos: n.Position(), Text: []byte(placeholder(len(d.kept) - 1))}
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isControl(n parse.Node) bool {
	switch n.(type) {
	case *parse.IfNode, *parse.RangeNode, *parse.WithNode:
		return true
	}
	return false
}

// sourceSpan finds, around position pos inside an action, the action's
// "{{" and its "}}" (for a control action, the "}}" of its matching
// {{end}}).
func sourceSpan(src string, pos int, control bool) (start, end int, ok bool) {
	if pos > len(src) {
		return 0, 0, false
	}
	start = strings.LastIndex(src[:pos], "{{")
	if start < 0 {
		return 0, 0, false
	}
	depth := 0
	for at := start; at < len(src); {
		open := strings.Index(src[at:], "{{")
		if open < 0 {
			return 0, 0, false
		}
		open += at
		body, next, found := action(src, open)
		if !found {
			return 0, 0, false
		}
		if !control {
			return start, next, true
		}
		switch firstWord(body) {
		case "if", "range", "with", "block", "define":
			depth++
		case "end":
			depth--
		}
		if depth == 0 {
			return start, next, true
		}
		at = next
	}
	return 0, 0, false
}

// action scans the action opening at src[open:] ("{{"), skipping quoted
// strings and comments, and returns its body and the offset after its
// "}}".
func action(src string, open int) (body string, next int, ok bool) {
	i := open + 2
	for i < len(src) {
		switch c := src[i]; {
		case c == '"' || c == '\'':
			i++
			for i < len(src) && src[i] != c {
				if src[i] == '\\' {
					i++
				}
				i++
			}
			i++
		case c == '`':
			end := strings.IndexByte(src[i+1:], '`')
			if end < 0 {
				return "", 0, false
			}
			i += end + 2
		case strings.HasPrefix(src[i:], "/*"):
			end := strings.Index(src[i+2:], "*/")
			if end < 0 {
				return "", 0, false
			}
			i += end + 4
		case strings.HasPrefix(src[i:], "}}"):
			return src[open+2 : i], i + 2, true
		default:
			i++
		}
	}
	return "", 0, false
}

// firstWord is an action's keyword, if any: "if" for "{{- if .X }}" and
// for "{{if.X}}".
func firstWord(body string) string {
	body = strings.TrimLeft(strings.TrimPrefix(body, "-"), " \t\r\n")
	end := strings.IndexFunc(body, func(r rune) bool { return r < 'a' || r > 'z' })
	if end < 0 {
		end = len(body)
	}
	return body[:end]
}
