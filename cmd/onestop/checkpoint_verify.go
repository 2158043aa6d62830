package main

import (
	"context"
	"io"

	"onestop/internal/store"
)

type checkpointsChecked struct{ checked, breaks int }

func verifyCheckpoints(ctx context.Context, db *store.DB, data string, stdout io.Writer) (checkpointsChecked, error) {
	return checkpointsChecked{}, nil
}
