package web

import "context"

// syncDisclosure publishes OneStop's own records into the organs'
// catalogues (publication.Sync): at start and every housekeeping round,
// and right after a bulletin is published or withdrawn. A failure is
// logged, never the user's: the bulletin is published either way and the
// next round catches up.
func (s *Server) syncDisclosure(ctx context.Context) {
	n, err := s.Publication.Sync(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.Log.Warn("disclosure sync", "err", err)
		}
		return
	}
	for src, k := range n {
		if k > 0 {
			s.Log.Info("disclosure sync", "source", src, "changed", k)
		}
	}
}
