package dlp

import (
	"context"
	"sync"

	"cloud.google.com/go/dlp/apiv2/dlppb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/encoding"
	_ "google.golang.org/grpc/encoding/proto" // registers the proto codec wrapped below
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"

	"github.com/parley-dev/parley/internal/gcp"
)

const (
	methodInspect    = "/google.privacy.dlp.v2.DlpService/InspectContent"
	methodDeidentify = "/google.privacy.dlp.v2.DlpService/DeidentifyContent"
)

// grpcService is the generated DlpServiceServer: the two content methods are modelled, the rest answer
// UNIMPLEMENTED through the embedded type and are journalled as unmodelled by the interceptor.
type grpcService struct {
	dlppb.UnimplementedDlpServiceServer
	s *Server
}

func (g *grpcService) InspectContent(ctx context.Context, req *dlppb.InspectContentRequest) (*dlppb.InspectContentResponse, error) {
	return g.s.inspectContent(ctx, call{transport: "grpc", size: proto.Size(req), method: methodInspect}, req)
}

func (g *grpcService) DeidentifyContent(ctx context.Context, req *dlppb.DeidentifyContentRequest) (*dlppb.DeidentifyContentResponse, error) {
	return g.s.deidentifyContent(ctx, call{transport: "grpc", size: proto.Size(req), method: methodDeidentify}, req)
}

func (s *Server) newGRPC() *grpc.Server {
	codec := &lenientCodec{base: encoding.GetCodecV2("proto")}
	g := gcp.NewGRPCServer(
		grpc.ForceServerCodecV2(codec),
		// Twice the API's limit, so a request a little over it gets the API's INVALID_ARGUMENT from the
		// handler, while a huge one is refused by gRPC (RESOURCE_EXHAUSTED) without being buffered whole.
		grpc.MaxRecvMsgSize(2*MaxRequestBytes),
		grpc.UnaryInterceptor(func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			if err, bad := codec.malformed(req); bad {
				return nil, s.rejectMalformed(info.FullMethod, err)
			}
			switch info.FullMethod {
			case methodInspect, methodDeidentify:
				return handler(ctx, req)
			}
			err := errUnmodelled("the method " + info.FullMethod)
			s.unmodelled(call{transport: "grpc", method: info.FullMethod}, err.Error())
			return nil, err
		}),
		grpc.UnknownServiceHandler(func(_ any, stream grpc.ServerStream) error {
			m, _ := grpc.MethodFromServerStream(stream)
			err := errUnmodelled("the method " + m)
			s.unmodelled(call{transport: "grpc", method: m}, err.Error())
			return err
		}),
	)
	dlppb.RegisterDlpServiceServer(g, &grpcService{s: s})
	return g
}

// rejectMalformed answers a request whose protobuf could not be parsed. gRPC itself would say INTERNAL;
// Google's front end says INVALID_ARGUMENT, which is what a client's retry logic keys on.
func (s *Server) rejectMalformed(method string, err error) error {
	st := status.New(codes.InvalidArgument, "Invalid request: the message could not be parsed as protobuf.")
	s.log.Debug("dlp mock: malformed protobuf", "method", method, "err", err)
	kind := "inspect"
	if method == methodDeidentify {
		kind = "deidentify"
	}
	s.recordMalformed(kind, "grpc", st.Err())
	return st.Err()
}

// lenientCodec wraps the proto codec so that a message that does not parse reaches the interceptor,
// which answers it as the real service does, instead of gRPC's own INTERNAL.
type lenientCodec struct {
	base encoding.CodecV2
	bad  sync.Map // request message pointer → parse error
}

func (c *lenientCodec) Marshal(v any) (mem.BufferSlice, error) { return c.base.Marshal(v) }

func (c *lenientCodec) Unmarshal(data mem.BufferSlice, v any) error {
	if err := c.base.Unmarshal(data, v); err != nil {
		if m, ok := v.(proto.Message); ok {
			proto.Reset(m)
		}
		c.bad.Store(v, err)
	}
	return nil
}

func (c *lenientCodec) Name() string { return c.base.Name() }

func (c *lenientCodec) malformed(req any) (error, bool) {
	v, ok := c.bad.LoadAndDelete(req)
	if !ok {
		return nil, false
	}
	return v.(error), true
}
