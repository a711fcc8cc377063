package rpc

import "testing"

type valueUi struct{ discardUi }

type holder struct{ v any }

func TestRegistry_anObjectPassedTwiceKeepsItsNumber(t *testing.T) {
	var r registry
	r.init()
	ptr := &valueUi{}
	cases := []struct {
		name string
		obj  any
	}{
		{"a pointer", ptr},
		{"a comparable value", valueUi{}},
		{"a struct holding a comparable value", holder{v: 7}},
	}
	for _, c := range cases {
		first, second := r.register(c.obj), r.register(c.obj)
		if first != second {
			t.Errorf("%s: registered as %d, then as %d; want one number", c.name, first, second)
		}
	}
}

func TestRegistry_anIncomparableObjectGetsANewNumberEachTime(t *testing.T) {
	var r registry
	r.init()
	for _, obj := range []any{
		[]string{"a slice"},
		holder{v: []int{1}}, // a comparable type holding an incomparable value
	} {
		first, second := r.register(obj), r.register(obj)
		if first == second {
			t.Errorf("%#v: registered twice as %d; want two numbers", obj, first)
		}
		if r.lookup(first) == nil || r.lookup(second) == nil {
			t.Errorf("%#v: lookup lost a registration", obj)
		}
	}
}

func TestRegistry_releaseForgetsTheNumber(t *testing.T) {
	var r registry
	r.init()
	id := r.register(valueUi{})
	r.release(id)
	if r.lookup(id) != nil {
		t.Fatalf("object %d still held after release", id)
	}
	if again := r.register(valueUi{}); again == id {
		t.Errorf("registered again under released number %d", id)
	}
}

func BenchmarkRegisterComparableValue(b *testing.B) {
	var r registry
	r.init()
	b.ReportAllocs()
	for range b.N {
		r.register(valueUi{})
	}
}
