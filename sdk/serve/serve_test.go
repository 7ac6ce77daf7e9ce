package serve

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/latentbench/latentbench/sdk"
)

// A plugin's error becomes the status the host maps back: a cancelled or
// timed-out Fit stays a context error even when the plugin marks its
// library's errors as invalid input, and invalid input is InvalidArgument.
func TestStatus(t *testing.T) {
	interrupted := fmt.Errorf("iforest: fit interrupted: %w", context.Canceled)
	cases := []struct {
		err  error
		want codes.Code
	}{
		{sdk.Invalid(interrupted), codes.Canceled},
		{sdk.Invalid(fmt.Errorf("step: %w", context.DeadlineExceeded)), codes.DeadlineExceeded},
		{sdk.Invalid(errors.New("iforest: n = 0 points")), codes.InvalidArgument},
		{sdk.Invalidf("model fitted on %d features, got %d", 2, 3), codes.InvalidArgument},
		{fmt.Errorf("lof: %w", sdk.ErrInvalidInput), codes.InvalidArgument},
		{errors.New("out of memory"), codes.Unknown},
		{status.Error(codes.ResourceExhausted, "too big"), codes.ResourceExhausted},
	}
	for _, c := range cases {
		if got := status.Code(Status(c.err)); got != c.want {
			t.Errorf("%v: status %v, want %v", c.err, got, c.want)
		}
	}
	if Status(nil) != nil {
		t.Error("Status(nil) is not nil")
	}
}
