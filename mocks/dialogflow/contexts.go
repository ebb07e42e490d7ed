package dialogflow

import (
	"context"
	"net/http"
	"sort"
	"strings"

	"cloud.google.com/go/dialogflow/apiv2/dialogflowpb"
	"github.com/parley-dev/parley/internal/gcp"
	"github.com/parley-dev/parley/journal"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
)

// The Contexts resource of a session (context.proto): list, get, create, update, delete, delete all.
// Contexts are the same ones detectIntent reads and writes; expired ones (sessionTTL of simulated time
// after the session's last activity) are gone.

func (s *Server) sessionFor(parent string) (sessionRef, error) {
	ref, err := parseESSession(parent)
	if err != nil {
		return ref, err
	}
	if ref.project != s.cfg.project {
		return ref, errNoAgent(ref.project)
	}
	return ref, nil
}

func splitContextName(name string) (sessionRef, string, error) {
	i := strings.LastIndex(name, "/contexts/")
	if i < 0 {
		return sessionRef{}, "", errSessionPath(name, esContextShape)
	}
	id, ok := contextID(name)
	if !ok {
		return sessionRef{}, "", errSessionPath(name, esContextShape)
	}
	ref, err := parseESSession(name[:i])
	if err != nil {
		return ref, "", errSessionPath(name, esContextShape)
	}
	return ref, id, nil
}

func (s *Server) recordContexts(kind string, ref sessionRef, names []string, all bool) {
	s.journal.Record(journal.SourceDialogflow, kind, ref.id, journal.ContextsData{
		Session: ref.path, SessionID: ref.id, Contexts: names, All: all,
	})
}

func (s *Server) listContextsCore(parent string) ([]*dialogflowpb.Context, error) {
	ref, err := s.sessionFor(parent)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	s.mu.Lock()
	var out []*dialogflowpb.Context
	if ss := s.sessions[ref.path]; ss != nil {
		ss.expireLocked(now)
		ids := make([]string, 0, len(ss.contexts))
		for id, c := range ss.contexts {
			if c.lifespan > 0 {
				ids = append(ids, id)
			}
		}
		sort.Strings(ids)
		for _, id := range ids {
			out = append(out, ss.contextPB(id, ss.contexts[id]))
		}
	}
	s.mu.Unlock()
	names := make([]string, len(out))
	for i, c := range out {
		names[i] = c.GetName()
	}
	s.recordContexts(journal.KindContextsListed, ref, names, false)
	return out, nil
}

func (s *Server) getContextCore(name string) (*dialogflowpb.Context, error) {
	ref, id, err := splitContextName(name)
	if err != nil {
		return nil, err
	}
	if ref.project != s.cfg.project {
		return nil, errNoAgent(ref.project)
	}
	now := s.clock.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if ss := s.sessions[ref.path]; ss != nil {
		ss.expireLocked(now)
		if c := ss.contexts[id]; c != nil && c.lifespan > 0 {
			return ss.contextPB(id, c), nil
		}
	}
	return nil, errContextNotFound(name)
}

// putContext creates or replaces a context ("If the specified context already exists, overrides the
// context", context.proto). Creating a context counts as activity on the session for expiry.
func (s *Server) putContextCore(parent string, c *dialogflowpb.Context) (*dialogflowpb.Context, error) {
	if c == nil || c.GetName() == "" {
		return nil, status.Error(codes.InvalidArgument, "Context name not set.")
	}
	ref, id, err := splitContextName(c.GetName())
	if err != nil {
		return nil, err
	}
	if parent != "" && ref.path != parent {
		return nil, status.Error(codes.InvalidArgument, "Context name '"+c.GetName()+"' is not in session '"+parent+"'.")
	}
	if ref.project != s.cfg.project {
		return nil, errNoAgent(ref.project)
	}
	now := s.clock.Now()
	s.mu.Lock()
	ss := s.sessionLocked(ref)
	ss.expireLocked(now)
	ss.last = now
	lc := &liveContext{lifespan: int(c.GetLifespanCount()), params: c.GetParameters().AsMap()}
	ss.contexts[id] = lc
	out := ss.contextPB(id, lc)
	s.mu.Unlock()
	s.recordContexts(journal.KindContextsCreated, ref, []string{out.GetName()}, false)
	return out, nil
}

func (s *Server) deleteContextCore(name string) error {
	ref, id, err := splitContextName(name)
	if err != nil {
		return err
	}
	if ref.project != s.cfg.project {
		return errNoAgent(ref.project)
	}
	s.mu.Lock()
	found := false
	if ss := s.sessions[ref.path]; ss != nil {
		if c := ss.contexts[id]; c != nil && c.lifespan > 0 {
			found = true
		}
		delete(ss.contexts, id)
	}
	s.mu.Unlock()
	if !found {
		return errContextNotFound(name)
	}
	s.recordContexts(journal.KindContextsDeleted, ref, []string{name}, false)
	return nil
}

func (s *Server) deleteAllContextsCore(parent string) error {
	ref, err := s.sessionFor(parent)
	if err != nil {
		return err
	}
	var names []string
	s.mu.Lock()
	if ss := s.sessions[ref.path]; ss != nil {
		for id := range ss.contexts {
			names = append(names, ref.path+"/contexts/"+id)
		}
		ss.contexts = map[string]*liveContext{}
	}
	s.mu.Unlock()
	sort.Strings(names)
	s.recordContexts(journal.KindContextsDeleted, ref, names, true)
	return nil
}

// esContexts implements the generated gRPC ContextsServer.
type esContexts struct {
	dialogflowpb.UnimplementedContextsServer
	s *Server
}

func (g esContexts) ListContexts(_ context.Context, req *dialogflowpb.ListContextsRequest) (*dialogflowpb.ListContextsResponse, error) {
	cs, err := g.s.listContexts(req.GetParent())
	if err != nil {
		return nil, err
	}
	return &dialogflowpb.ListContextsResponse{Contexts: cs}, nil
}

func (g esContexts) GetContext(_ context.Context, req *dialogflowpb.GetContextRequest) (*dialogflowpb.Context, error) {
	return g.s.getContext(req.GetName())
}

func (g esContexts) CreateContext(_ context.Context, req *dialogflowpb.CreateContextRequest) (*dialogflowpb.Context, error) {
	return g.s.putContext(req.GetParent(), req.GetContext())
}

func (g esContexts) UpdateContext(_ context.Context, req *dialogflowpb.UpdateContextRequest) (*dialogflowpb.Context, error) {
	return g.s.putContext("", req.GetContext())
}

func (g esContexts) DeleteContext(_ context.Context, req *dialogflowpb.DeleteContextRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, g.s.deleteContext(req.GetName())
}

func (g esContexts) DeleteAllContexts(_ context.Context, req *dialogflowpb.DeleteAllContextsRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, g.s.deleteAllContexts(req.GetParent())
}

func (s *Server) restAuthorized(rc restCall) bool {
	if s.cfg.requireAuth && !bearer(rc.r) {
		rc.fail(s.refuse(rc.r.Method, rc.r.URL.Path, gcp.Unauthenticated))
		return false
	}
	return true
}

// restListContexts serves GET {session}/contexts.
func (s *Server) restListContexts(w http.ResponseWriter, r *http.Request) {
	rc, resource, ok := s.restCall(w, r)
	if !ok || !s.restAuthorized(rc) {
		return
	}
	cs, err := s.listContexts(strings.TrimSuffix(resource, "/contexts"))
	if err != nil {
		rc.fail(err)
		return
	}
	rc.write(&dialogflowpb.ListContextsResponse{Contexts: cs})
}

// restCreateContext serves POST {session}/contexts.
func (s *Server) restCreateContext(w http.ResponseWriter, r *http.Request) {
	rc, resource, ok := s.restCall(w, r)
	if !ok || !s.restAuthorized(rc) {
		return
	}
	parent := strings.TrimSuffix(resource, "/contexts")
	c := &dialogflowpb.Context{}
	if err := rc.decode(c); err != nil {
		rc.fail(s.refuse("CreateContext", parent, err))
		return
	}
	out, err := s.putContext(parent, c)
	if err != nil {
		rc.fail(err)
		return
	}
	rc.write(out)
}

// restDeleteContexts serves DELETE {session}/contexts.
func (s *Server) restDeleteContexts(w http.ResponseWriter, r *http.Request) {
	rc, resource, ok := s.restCall(w, r)
	if !ok || !s.restAuthorized(rc) {
		return
	}
	if err := s.deleteAllContexts(strings.TrimSuffix(resource, "/contexts")); err != nil {
		rc.fail(err)
		return
	}
	rc.write(&emptypb.Empty{})
}

// restGetContext serves GET {session}/contexts/{id}.
func (s *Server) restGetContext(w http.ResponseWriter, r *http.Request) {
	rc, name, ok := s.restCall(w, r)
	if !ok || !s.restAuthorized(rc) {
		return
	}
	c, err := s.getContext(name)
	if err != nil {
		rc.fail(err)
		return
	}
	rc.write(c)
}

// restUpdateContext serves PATCH {session}/contexts/{id}.
func (s *Server) restUpdateContext(w http.ResponseWriter, r *http.Request) {
	rc, name, ok := s.restCall(w, r)
	if !ok || !s.restAuthorized(rc) {
		return
	}
	c := &dialogflowpb.Context{}
	if err := rc.decode(c); err != nil {
		rc.fail(s.refuse("UpdateContext", name, err))
		return
	}
	if c.GetName() == "" {
		c.Name = name
	}
	out, err := s.putContext("", c)
	if err != nil {
		rc.fail(err)
		return
	}
	rc.write(out)
}

// restDeleteContext serves DELETE {session}/contexts/{id}.
func (s *Server) restDeleteContext(w http.ResponseWriter, r *http.Request) {
	rc, name, ok := s.restCall(w, r)
	if !ok || !s.restAuthorized(rc) {
		return
	}
	if err := s.deleteContext(name); err != nil {
		rc.fail(err)
		return
	}
	rc.write(&emptypb.Empty{})
}

func (s *Server) listContexts(parent string) ([]*dialogflowpb.Context, error) {
	out, err := s.listContextsCore(parent)
	if err != nil {
		return nil, s.refuse("ListContexts", parent, err)
	}
	return out, nil
}

func (s *Server) getContext(name string) (*dialogflowpb.Context, error) {
	out, err := s.getContextCore(name)
	if err != nil {
		return nil, s.refuse("GetContext", name, err)
	}
	ref, _, _ := splitContextName(name)
	s.recordContexts(journal.KindContextsListed, ref, []string{out.GetName()}, false)
	return out, nil
}

func (s *Server) putContext(parent string, c *dialogflowpb.Context) (*dialogflowpb.Context, error) {
	out, err := s.putContextCore(parent, c)
	if err != nil {
		return nil, s.refuse("CreateContext", c.GetName(), err)
	}
	return out, nil
}

func (s *Server) deleteContext(name string) error {
	if err := s.deleteContextCore(name); err != nil {
		return s.refuse("DeleteContext", name, err)
	}
	return nil
}

func (s *Server) deleteAllContexts(parent string) error {
	if err := s.deleteAllContextsCore(parent); err != nil {
		return s.refuse("DeleteAllContexts", parent, err)
	}
	return nil
}
