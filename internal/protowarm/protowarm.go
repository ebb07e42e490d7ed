// Package protowarm builds, ahead of the first call, what the protobuf runtime otherwise builds on a
// message type's first use: its encoding tables. A fresh process pays for them on the first request that
// carries a type (a few milliseconds for Cloud DLP's request, whose messages nest about ninety others); a
// server or client that warms them while it starts answers its first call as fast as its next ones.
package protowarm

import (
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// Messages builds the encoding tables of each root's type and of every message type its fields can hold,
// transitively (maps' values and oneofs included), and returns the full names of the types it reached,
// in the order it reached them. Types not linked into the program are skipped. Safe to call concurrently
// with any use of the types: the runtime builds each table once, whoever asks first.
func Messages(roots ...proto.Message) []protoreflect.FullName {
	seen := map[protoreflect.FullName]bool{}
	var order []protoreflect.FullName
	var visit func(md protoreflect.MessageDescriptor)
	visit = func(md protoreflect.MessageDescriptor) {
		if md == nil || seen[md.FullName()] {
			return
		}
		seen[md.FullName()] = true
		if !md.IsMapEntry() {
			mt, err := protoregistry.GlobalTypes.FindMessageByName(md.FullName())
			if err != nil {
				return
			}
			// Size of an empty message is the cheapest call that makes the runtime build the type's tables.
			proto.Size(mt.New().Interface())
			order = append(order, md.FullName())
		}
		fields := md.Fields()
		for i := range fields.Len() {
			visit(fields.Get(i).Message())
		}
	}
	for _, m := range roots {
		visit(m.ProtoReflect().Descriptor())
	}
	return order
}
