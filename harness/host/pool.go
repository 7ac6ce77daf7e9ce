package host

import (
	"context"
	"sync"

	"github.com/latentbench/latentbench/sdk"
)

// Pool keeps plugin processes alive between calls, so that a run starts each
// plugin about once per worker instead of once per stage of every cell. The
// contract is stateless (a model travels with each call), so any live process
// of a plugin serves any call. A session that saw an error, or whose call's
// context ended, is never reused: Put closes it, and the next Get starts a
// fresh process, so a crash, a hang or a cell timeout costs only that call.
type Pool struct {
	host *Host
	life context.Context

	mu     sync.Mutex
	idle   map[poolKey][]*Session
	closed bool
}

type poolKey struct {
	path string
	kind sdk.Kind
}

// NewPool returns a pool starting processes through h. Processes live until
// life ends or Close is called.
func NewPool(h *Host, life context.Context) *Pool {
	return &Pool{host: h, life: life, idle: map[poolKey][]*Session{}}
}

// Get returns an idle live process of the plugin at path, or starts one (ctx
// bounds the start). The caller has it to itself until Put.
func (p *Pool) Get(ctx context.Context, path string, kind sdk.Kind) (*Session, error) {
	k := poolKey{path, kind}
	p.mu.Lock()
	for len(p.idle[k]) > 0 {
		list := p.idle[k]
		s := list[len(list)-1]
		p.idle[k] = list[:len(list)-1]
		if s.Exited() {
			go s.Close()
			continue
		}
		p.mu.Unlock()
		return s, nil
	}
	p.mu.Unlock()
	return p.host.start(ctx, p.life, path, kind)
}

// Put hands a session back after a call made under ctx that returned err.
// The session is kept for reuse only if err is nil, ctx is live and the
// process has not exited; otherwise it is closed.
func (p *Pool) Put(ctx context.Context, s *Session, err error) {
	if err != nil || ctx.Err() != nil || s.Exited() {
		s.Close()
		return
	}
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		s.Close()
		return
	}
	k := poolKey{s.path, s.kind}
	p.idle[k] = append(p.idle[k], s)
	p.mu.Unlock()
}

// Close stops every idle process; sessions handed out are closed when Put.
func (p *Pool) Close() {
	p.mu.Lock()
	p.closed = true
	var all []*Session
	for _, list := range p.idle {
		all = append(all, list...)
	}
	p.idle = map[poolKey][]*Session{}
	p.mu.Unlock()
	var wg sync.WaitGroup
	for _, s := range all {
		wg.Add(1)
		go func() { defer wg.Done(); s.Close() }()
	}
	wg.Wait()
}
