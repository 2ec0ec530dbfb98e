package main

// Values: the chart's values.yaml, the -f files and the --set flags, combined the way Helm 3
// combines them (see docs/helm-template.md for what is covered).

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"sigs.k8s.io/yaml"
)

// readValuesFile reads a YAML values file as Helm does (sigs.k8s.io/yaml: through JSON, so every
// number is a float64 and every map a map[string]interface{}). An empty file gives an empty map.
func readValuesFile(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	vals := map[string]interface{}{}
	if err := yaml.Unmarshal(data, &vals); err != nil {
		return nil, fmt.Errorf("failed to parse %s: %w", path, err)
	}
	if vals == nil {
		vals = map[string]interface{}{}
	}
	return vals, nil
}

// mergeUserValues merges b into a (b wins), descending into maps present in both: how Helm
// layers successive -f files.
func mergeUserValues(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a)+len(b))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bm, ok := v.(map[string]interface{}); ok {
			if am, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeUserValues(am, bm)
				continue
			}
		}
		out[k] = v
	}
	return out
}

// coalesce fills user values from the chart's defaults, as Helm's CoalesceValues: a user null
// deletes the key (the chart's default with it), maps present on both sides are coalesced key by
// key, and any other user value replaces the default whole (lists are never merged).
func coalesce(user, defaults map[string]interface{}) map[string]interface{} {
	for key, def := range defaults {
		value, present := user[key]
		switch {
		case !present:
			user[key] = deepCopy(def)
		case value == nil:
			delete(user, key)
		default:
			um, uok := value.(map[string]interface{})
			dm, dok := def.(map[string]interface{})
			if uok && dok {
				coalesce(um, dm)
			} else if uok != dok && def != nil {
				fmt.Fprintf(os.Stderr, "coalesce.go: warning: cannot overwrite table with non table for %s (%v)\n", key, def)
			}
		}
	}
	return user
}

func deepCopy(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		m := make(map[string]interface{}, len(t))
		for k, x := range t {
			m[k] = deepCopy(x)
		}
		return m
	case []interface{}:
		l := make([]interface{}, len(t))
		for i, x := range t {
			l[i] = deepCopy(x)
		}
		return l
	default:
		return v
	}
}

// setParser reads one --set (or --set-string) argument into a values map, with Helm's strvals
// syntax: `a.b=c` nests maps, `a[0]=c` and `a[0].b=c` index lists, `a={x,y}` is a list, several
// assignments are separated by commas, and a backslash escapes the next character. With --set,
// `true`/`false` become bools, `null` removes the key (see coalesce), and a decimal integer without
// a leading zero becomes an int64; everything else stays a string.
type setParser struct {
	in       []rune
	pos      int
	asString bool
}

var errEnd = errors.New("end of input")

func parseSet(arg string, into map[string]interface{}, asString bool) error {
	p := &setParser{in: []rune(arg), asString: asString}
	for p.pos < len(p.in) {
		if err := p.assignment(into); err != nil {
			return fmt.Errorf("failed parsing --set data: %w", err)
		}
	}
	return nil
}

// until reads up to (and consumes) the first unescaped rune of stop; it returns errEnd with what
// it read when the input ends first.
func (p *setParser) until(stop string) ([]rune, rune, error) {
	var out []rune
	for p.pos < len(p.in) {
		r := p.in[p.pos]
		p.pos++
		if r == '\\' {
			if p.pos == len(p.in) {
				return out, 0, errEnd
			}
			out = append(out, p.in[p.pos])
			p.pos++
			continue
		}
		if strings.ContainsRune(stop, r) {
			return out, r, nil
		}
		out = append(out, r)
	}
	return out, 0, errEnd
}

func (p *setParser) typed(v []rune) interface{} {
	s := string(v)
	if p.asString {
		return s
	}
	switch {
	case strings.EqualFold(s, "true"):
		return true
	case strings.EqualFold(s, "false"):
		return false
	case strings.EqualFold(s, "null"):
		return nil
	case s == "0":
		return int64(0)
	case s != "" && s[0] != '0':
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return n
		}
	}
	return s
}

// assignment reads `key...=value` into data, and the comma after it if any.
func (p *setParser) assignment(data map[string]interface{}) error {
	k, last, err := p.until("=[,.")
	key := string(k)
	if err != nil {
		return fmt.Errorf("key %q has no value", key)
	}
	switch last {
	case ',':
		return fmt.Errorf("key %q has no value (cannot end with ,)", key)
	case '.':
		inner := map[string]interface{}{}
		if existing, ok := data[key]; ok && existing != nil {
			m, ok := existing.(map[string]interface{})
			if !ok {
				return fmt.Errorf("key %q is not a map", key)
			}
			inner = m
		}
		if err := p.assignment(inner); err != nil {
			return err
		}
		data[key] = inner
		return nil
	case '[':
		var list []interface{}
		if existing, ok := data[key]; ok && existing != nil {
			l, ok := existing.([]interface{})
			if !ok {
				return fmt.Errorf("key %q is not a list", key)
			}
			list = l
		}
		list, err := p.indexed(list)
		if err != nil {
			return err
		}
		data[key] = list
		return nil
	default: // '='
		v, err := p.value()
		if err != nil {
			return err
		}
		data[key] = v
		return nil
	}
}

// indexed reads `N]` and what follows it (`=value`, `.key...=value` or `[M]...`) into list.
func (p *setParser) indexed(list []interface{}) ([]interface{}, error) {
	n, _, err := p.until("]")
	if err != nil {
		return list, fmt.Errorf("error parsing index: unterminated [")
	}
	i, err := strconv.Atoi(string(n))
	if err != nil {
		return list, fmt.Errorf("error parsing index: %w", err)
	}
	if i < 0 || i > 65536 {
		return list, fmt.Errorf("index %d out of range", i)
	}
	for len(list) <= i {
		list = append(list, nil)
	}
	rest, last, err := p.until("[.=")
	if len(rest) > 0 {
		return list, fmt.Errorf("unexpected data at end of array index: %q", string(rest))
	}
	if err != nil {
		return list, fmt.Errorf("key has no value")
	}
	switch last {
	case '=':
		v, err := p.value()
		list[i] = v
		return list, err
	case '.':
		inner, ok := list[i].(map[string]interface{})
		if !ok {
			inner = map[string]interface{}{}
		}
		err := p.assignment(inner)
		list[i] = inner
		return list, err
	default: // '['
		nested, _ := list[i].([]interface{})
		nested, err := p.indexed(nested)
		list[i] = nested
		return list, err
	}
}

// value reads what follows `=`: a `{a,b}` list or a scalar, up to the next unescaped comma.
func (p *setParser) value() (interface{}, error) {
	if p.pos == len(p.in) {
		return "", nil
	}
	if p.in[p.pos] != '{' {
		v, _, _ := p.until(",")
		return p.typed(v), nil
	}
	p.pos++
	list := []interface{}{}
	for {
		item, last, err := p.until(",}")
		if err != nil {
			return list, errors.New("list must terminate with '}'")
		}
		list = append(list, p.typed(item))
		if last == '}' {
			if p.pos < len(p.in) && p.in[p.pos] == ',' {
				p.pos++
			}
			return list, nil
		}
	}
}
