package request

import (
	"context"

	"onestop/internal/apperr"
	"onestop/internal/disclosure"
	"onestop/internal/org"
	"onestop/internal/payments"
)

// Fee methods of 国办函〔2020〕109号《政府信息公开信息处理费管理办法》第三条:
// by piece (按件计收) or by volume (按量计收), each progressive over the
// free amount; an organ chooses one for each request, never both.
const (
	ByPiece  = "piece"
	ByVolume = "volume"
)

// PieceFeeFen is the fee for the pieces numbered first..first+n-1 among a
// requester's requests to an organ in one calendar month (第四条): pieces
// 1–10 are free, 11–30 ¥100 each, and from the 31st each band of 10 costs
// ¥100 more per piece than the band before (31–40 ¥200, 41–50 ¥300 …).
func PieceFeeFen(first, n int) int64 {
	var fen int64
	for p := first; p < first+n; p++ {
		switch {
		case p <= 10:
		case p <= 30:
			fen += 100_00
		default:
			fen += int64(100_00 * (2 + (p-31)/10))
		}
	}
	return fen
}

// VolumeFeeFen is the fee for pages of paper, e-mail or copied data
// (第五条): up to 30 pages free; pages 31–100 ¥10 each; 101–200 ¥20
// each; from 201 ¥40 each, each rate on its part only.
func VolumeFeeFen(pages int) int64 {
	bands := []struct {
		upTo int
		fen  int64
	}{{30, 0}, {100, 10_00}, {200, 20_00}, {1 << 30, 40_00}}
	var fen int64
	lo := 0
	for _, b := range bands {
		if pages > lo {
			fen += int64(min(pages, b.upTo)-lo) * b.fen
		}
		lo = b.upTo
	}
	return fen
}

// FeeInput is a fee notice: the method, and the pieces this request
// counts as (一事一申请 splits one request into several, 第四条) or the
// pages provided.
type FeeInput struct {
	Method string `json:"method"`
	Pieces int    `json:"pieces"`
	Pages  int    `json:"pages"`
}

// FeeNotice gives the fee notice. Information is free by default (条例
// Art. 42): a notice is refused when the amount is nothing. By piece, the
// request's place among the requester's requests to the organ received in
// the same calendar month (by identity number) decides the rate. The wait
// for payment is not counted (第七条), and an unpaid notice lapses after
// FeePayDays working days (Lapse).
func (s *Service) FeeNotice(ctx context.Context, a org.Actor, no string, in FeeInput) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Officer, []string{Open}, func(st *stepCtx) error {
		if Last(st.evs, EvFeeNotice) != nil {
			return apperr.New(apperr.Conflict, "disclosure_req.error.fee_once")
		}
		var fen int64
		data := map[string]any{"method": in.Method}
		switch in.Method {
		case ByPiece:
			if in.Pieces < 1 || in.Pieces > 1000 {
				return fieldErr("pieces", "disclosure_req.error.count", "Max", 1000)
			}
			r := st.r
			month := r.ReceivedOn.String()[:7]
			var before int
			if err := st.tx.QueryRowContext(st.ctx, `SELECT COUNT(*) FROM disclosure_requests WHERE organ_id = $1 AND id_number = $2
				AND received_on LIKE $3 AND (received_on < $4 OR (received_on = $4 AND id < $5))`,
				r.OrganID, r.IDNumber, month+"-%", r.ReceivedOn.String(), r.ID).Scan(&before); err != nil {
				return err
			}
			fen = PieceFeeFen(before+1, in.Pieces)
			data["pieces"], data["first"] = in.Pieces, before+1
		case ByVolume:
			if in.Pages < 1 || in.Pages > 100000 {
				return fieldErr("pages", "disclosure_req.error.count", "Max", 100000)
			}
			fen = VolumeFeeFen(in.Pages)
			data["pages"] = in.Pages
		default:
			return fieldErr("method", "error.choose")
		}
		if fen == 0 {
			return apperr.New(apperr.Conflict, "disclosure_req.error.fee_free")
		}
		payBy, _ := st.cal.Deadline(st.today, FeePayDays)
		data["fee_fen"], data["pay_by"] = fen, payBy.String()
		st.r.Status, st.r.FeeFen = FeeDue, fen
		if err := st.event(EvFeeNotice, "", data); err != nil {
			return err
		}
		return st.tell("notify.disclosure.fee", map[string]any{"Amount": payments.FormatYuan(fen), "By": payBy.String()})
	})
}

// FeePaid records the payment: the working days since the notice are not
// counted, and the clock runs again.
func (s *Service) FeePaid(ctx context.Context, a org.Actor, no string) (*Request, error) {
	return s.step(ctx, a, no, disclosure.Officer, []string{FeeDue}, func(st *stepCtx) error {
		ev := Last(st.evs, EvFeeNotice)
		if ev == nil {
			return apperr.New(apperr.Conflict, "disclosure_req.error.changed")
		}
		days := st.cal.WorkingDaysBetween(ev.Day, st.today)
		st.r.Status = Open
		st.r.PausedDays += days
		st.recompute()
		return st.event(EvFeePaid, "", map[string]any{"paused_days": days})
	})
}
