package payments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"onestop/internal/apperr"
	"onestop/internal/org"
	"onestop/internal/store"
)

// Limits of a bank statement upload: a county hall's account sees some
// hundreds of credits a day; more than this is not a day's statement.
const (
	MaxStatementBytes = 1 << 20 // the web layer's body limit (maxBody) as well
	MaxStatementLines = 5000
	// statementUnzipLimit bounds what an XLSX may unpack to (a zip bomb).
	statementUnzipLimit = 32 << 20
	maxStatementCells   = (MaxStatementLines + 1) * 32
)

// Outcomes of a statement line.
const (
	Matched   = "matched"   // applied: the notice is paid
	Unmatched = "unmatched" // no notice of this centre with that reference
	Mismatch  = "mismatch"  // the notice exists, the amount differs: not applied
	Duplicate = "duplicate" // seen before (this file, an earlier import) or the notice was already paid
	Invalid   = "invalid"   // no amount, a debit, or an unreadable row
)

// columns are the header titles banks' exports use, by what they hold.
var columns = map[string][]string{
	"txn":    {"交易流水号", "流水号", "交易号", "transaction_id", "txn_id", "transaction id"},
	"memo":   {"附言", "摘要", "用途", "备注", "缴款编号", "reference", "memo"},
	"amount": {"金额", "贷方金额", "收入金额", "入账金额", "amount", "credit"},
	"payer":  {"付款人", "对方户名", "付款人名称", "payer"},
}

// ImportLine is one statement line as the import judged it.
type ImportLine struct {
	Row       int    `json:"row"`
	TxnID     string `json:"txn_id,omitempty"`
	Ref       string `json:"ref,omitempty"`
	Payer     string `json:"payer,omitempty"`
	AmountFen int64  `json:"amount_fen"`
	Outcome   string `json:"outcome"`
	// Why is the translation key saying why (a duplicate's kind, an
	// invalid row's fault, a mismatch's expected amount in DueFen).
	Why    string `json:"why,omitempty"`
	DueFen int64  `json:"due_fen,omitempty"`
}

// ImportReport is the whole statement's result.
type ImportReport struct {
	Lines      []ImportLine   `json:"lines"`
	Counts     map[string]int `json:"counts"`
	MatchedFen int64          `json:"matched_fen"`
	// Repeat: every readable line was recorded by an earlier import, so
	// this one recorded and applied nothing. Its invalid lines were never
	// applied either time; the cashier is told so rather than left to
	// wonder why they are not "duplicate" too.
	Repeat bool `json:"repeat"`
}

// Import reads a bank statement (CSV or XLSX, told apart by content) and
// pays every notice of the cashier's centre that a credit line names by
// reference with the amount due, in one transaction. Every line is
// remembered by its key — the bank's transaction id, or else a hash of the
// row — so importing the same statement again applies nothing, reports
// every readable line a duplicate and the report a Repeat. An unreadable
// line is never recorded (it has nothing to apply), so it reads invalid
// each time.
func (s *Service) Import(ctx context.Context, a org.Actor, data []byte) (*ImportReport, error) {
	if !Cashier(a, a.CentreID) {
		return nil, apperr.New(apperr.Forbidden, "error.forbidden")
	}
	if len(data) > MaxStatementBytes {
		return nil, &apperr.Error{Code: apperr.TooLarge, Msg: apperr.M("payments.statement_too_large")}
	}
	rows, err := readStatement(data)
	if err != nil {
		return nil, err
	}
	lines, err := statementLines(rows)
	if err != nil {
		return nil, err
	}
	rep := &ImportReport{Counts: map[string]int{Matched: 0, Unmatched: 0, Mismatch: 0, Duplicate: 0, Invalid: 0}}
	err = s.DB.Tx(ctx, func(tx *sql.Tx) error {
		q := s.DB.InTx(tx)
		seen := map[string]bool{}
		earlier, fresh := 0, 0
		for _, sl := range lines {
			l := sl.ImportLine
			if l.Outcome == "" {
				if err := s.judge(ctx, q, a, sl.key, &l, seen); err != nil {
					return err
				}
				switch l.Why {
				case "payments.why.imported":
					earlier++
				case "payments.why.in_file":
				default:
					fresh++
				}
			}
			rep.Lines = append(rep.Lines, l)
			rep.Counts[l.Outcome]++
			if l.Outcome == Matched {
				rep.MatchedFen += l.AmountFen
			}
		}
		rep.Repeat = earlier > 0 && fresh == 0
		return nil
	})
	if store.IsUnique(err) {
		// Another import of the same lines won the race; this one applied
		// nothing.
		return nil, apperr.New(apperr.Conflict, "payments.import_busy")
	}
	if err != nil {
		return nil, err
	}
	return rep, nil
}

// judge decides one readable line and applies it when it matches.
func (s *Service) judge(ctx context.Context, q store.Querier, a org.Actor, key string, l *ImportLine, seen map[string]bool) error {
	if seen[key] {
		l.Outcome, l.Why = Duplicate, "payments.why.in_file"
		return nil
	}
	seen[key] = true
	var one int
	err := q.QueryRowContext(ctx, `SELECT 1 FROM bank_lines WHERE centre_id = $1 AND line_key = $2`, a.CentreID, key).Scan(&one)
	if err == nil {
		l.Outcome, l.Why = Duplicate, "payments.why.imported"
		return nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	l.Outcome = Unmatched
	if l.Ref != "" {
		n, err := s.load(ctx, q, l.Ref)
		switch {
		case apperr.Is(err, apperr.NotFound):
		case err != nil:
			return err
		case n.CentreID != a.CentreID:
			// Another centre's notice reads as none at all.
		case n.State == Paid:
			l.Outcome, l.Why = Duplicate, "payments.why.paid"
		case n.TotalFen-n.PaidFen != l.AmountFen:
			l.Outcome, l.DueFen = Mismatch, n.TotalFen-n.PaidFen
		default:
			receipt := l.TxnID
			if len(receipt) > 40 {
				receipt = receipt[:40]
			}
			if err := s.settle(ctx, q, a, n, "bank", receipt, key); err != nil {
				return err
			}
			l.Outcome = Matched
		}
	}
	_, err = q.ExecContext(ctx, `INSERT INTO bank_lines (centre_id, line_key, ref, amount_fen, outcome, imported_by, imported_at)
		VALUES ($1,$2,$3,$4,$5,$6,$7)`, a.CentreID, key, l.Ref, l.AmountFen, l.Outcome, a.StaffID, s.now())
	return err
}

type statementLine struct {
	ImportLine
	key string
}

// readStatement returns the statement's rows: an XLSX's first sheet, or
// the rows of a UTF-8 CSV.
func readStatement(data []byte) (rows [][]string, err error) {
	if bytes.HasPrefix(data, []byte("PK\x03\x04")) {
		return readXLSX(data)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return nil, apperr.New(apperr.Invalid, "payments.statement_unreadable")
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord, r.LazyQuotes = -1, true
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "payments.statement_unreadable")
		}
		if rows = append(rows, rec); len(rows) > MaxStatementLines+1 {
			return nil, &apperr.Error{Code: apperr.TooLarge, Msg: apperr.M("payments.statement_too_many", "Max", MaxStatementLines)}
		}
	}
	return rows, nil
}

func readXLSX(data []byte) (rows [][]string, err error) {
	// excelize decodes untrusted input: a bug in it must end as a refused
	// upload, not a crashed server.
	defer func() {
		if v := recover(); v != nil {
			rows, err = nil, apperr.New(apperr.Invalid, "payments.statement_unreadable")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: statementUnzipLimit})
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "payments.statement_unreadable")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, apperr.New(apperr.Invalid, "payments.statement_unreadable")
	}
	it, err := f.Rows(sheets[0])
	if err != nil {
		return nil, apperr.New(apperr.Invalid, "payments.statement_unreadable")
	}
	defer it.Close()
	cells := 0
	for it.Next() {
		rec, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, apperr.New(apperr.Invalid, "payments.statement_unreadable")
		}
		// The decoder pads a row up to its last cell: count cells, not rows.
		if cells += len(rec); cells > maxStatementCells || len(rows) > MaxStatementLines {
			return nil, &apperr.Error{Code: apperr.TooLarge, Msg: apperr.M("payments.statement_too_many", "Max", MaxStatementLines)}
		}
		rows = append(rows, rec)
	}
	return rows, nil
}

// statementLines finds the header row (the first row naming an amount
// and a memo column) and reads every row below it.
func statementLines(rows [][]string) ([]statementLine, error) {
	head, pos := -1, map[string]int{}
	for i, r := range rows {
		if i > 20 {
			break
		}
		p := map[string]int{}
		for j, cell := range r {
			t := strings.ToLower(strings.TrimSpace(cell))
			for kind, titles := range columns {
				for _, title := range titles {
					if _, ok := p[kind]; !ok && t == title {
						p[kind] = j
					}
				}
			}
		}
		if _, ok := p["amount"]; ok {
			if _, ok := p["memo"]; ok {
				head, pos = i, p
				break
			}
		}
	}
	if head < 0 {
		return nil, apperr.New(apperr.Invalid, "payments.statement_no_header")
	}
	cell := func(r []string, kind string) string {
		if j, ok := pos[kind]; ok && j < len(r) {
			return strings.TrimSpace(r[j])
		}
		return ""
	}
	var out []statementLine
	for i := head + 1; i < len(rows); i++ {
		r := rows[i]
		if strings.TrimSpace(strings.Join(r, "")) == "" {
			continue
		}
		l := statementLine{ImportLine: ImportLine{Row: i + 1, TxnID: clip(cell(r, "txn"), 64), Payer: clip(cell(r, "payer"), 60),
			Ref: FindRef(clip(cell(r, "memo"), 500))}}
		amount := strings.ReplaceAll(cell(r, "amount"), ",", "")
		fen, ok := ParseYuan(amount)
		switch {
		case !ok || fen <= 0:
			// A debit, a blank, a formula ("=1+1") or other garbage is
			// reported, never guessed at.
			l.Outcome, l.Why = Invalid, "payments.why.amount"
		case fen > maxFen:
			l.Outcome, l.Why = Invalid, "payments.why.amount"
		default:
			l.AmountFen = fen
		}
		if l.TxnID != "" {
			l.key = "txn:" + l.TxnID
		} else {
			h := sha256.Sum256([]byte(strings.Join(r, "\x1f")))
			l.key = "sha:" + hex.EncodeToString(h[:])
		}
		out = append(out, l)
	}
	return out, nil
}

// clip keeps at most n runes of s (the report shows, never stores, them).
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
