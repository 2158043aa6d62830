package cases

// Observer hears what the engine did, for the operator's metrics. It is
// called after the transaction committed, so a rolled-back or lost race
// is never counted; it must not block.
type Observer interface {
	// Transition is one committed action (ActSubmit for a new case).
	Transition(action string)
	// Swept is one run of the deemed-acceptance/approval sweep.
	Swept(r SweepResult, err error)
}

func (s *Service) observeTransition(action string) {
	if s.Observer != nil {
		s.Observer.Transition(action)
	}
}

func (s *Service) observeSweep(r SweepResult, err error) {
	if s.Observer != nil {
		s.Observer.Swept(r, err)
	}
}
