package web

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"onestop/internal/cases"
	"onestop/internal/checkpoint"
	"onestop/internal/clock"
)

// The evidence bundle of one case: what an auditor takes away to check
// by hand, without the database, that the case's record is whole and was
// sealed by a signed checkpoint. No personal data beyond the record's own
// (the applicant is an id; names, ID numbers and phones stay behind).

// EvidenceEvent is one event as stored, with the exact text its hash
// covers after prev_hash.
type EvidenceEvent struct {
	Seq       int    `json:"seq"`
	At        string `json:"at"`
	ActorID   int64  `json:"actor_id"`
	Actor     string `json:"actor"`
	Role      string `json:"role"`
	Place     string `json:"place"`
	Action    string `json:"action"`
	Payload   string `json:"payload"`
	PrevHash  string `json:"prev_hash"`
	Hash      string `json:"hash"`
	Canonical string `json:"canonical"`
}

// EvidenceCase is the case row's recorded facts.
type EvidenceCase struct {
	No          string            `json:"no"`
	Item        string            `json:"item"`
	Department  string            `json:"department"`
	Centre      string            `json:"centre"`
	Version     int               `json:"version"`
	LastHash    string            `json:"last_hash"`
	Facts       map[string]string `json:"facts"`
	GeneratedAt time.Time         `json:"generated_at"`
}

// EvidenceSeal is the checkpoint that covers the case's last event and the
// proof that the event is among the ones it sealed; Checkpoint is nil
// while that day is not sealed yet.
type EvidenceSeal struct {
	Checkpoint *checkpoint.Checkpoint `json:"checkpoint"`
	PublicKey  *checkpoint.PublicKey  `json:"public_key"`
	Inclusion  *checkpoint.Inclusion  `json:"inclusion"`
	Note       string                 `json:"note,omitempty"`
}

func (s *Server) evidenceZip(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := actor(r)
	c, err := s.Cases.Get(ctx, cases.StaffActor(a), strings.ToUpper(r.PathValue("no")))
	if err != nil {
		return err
	}
	ec := EvidenceCase{No: c.No, Item: c.ItemName, Department: c.Department, Centre: c.Centre, Version: c.Version, LastHash: c.LastHash,
		Facts: cases.FactsOf(c).Named(), GeneratedAt: s.Now().UTC()}
	events := make([]EvidenceEvent, 0, len(c.Events))
	for _, e := range c.Events {
		events = append(events, EvidenceEvent{Seq: e.Seq, At: e.At.UTC().Format("2006-01-02T15:04:05.000Z"), ActorID: e.ActorID, Actor: e.Actor,
			Role: e.Role, Place: e.Place, Action: e.Action, Payload: string(e.Payload), PrevHash: e.PrevHash, Hash: e.Hash,
			Canonical: string(cases.Canonical(c.No, e))})
	}
	seal := EvidenceSeal{}
	if n := len(c.Events); n > 0 {
		last := c.Events[n-1]
		cp, inc, err := s.Checkpoints.Prove(ctx, s.DB.Read(), last.At, last.Hash)
		switch {
		case errors.Is(err, checkpoint.ErrNotSealed):
			seal.Note = "The day of the last event (" + clock.Today(last.At).String() + ", Asia/Shanghai) is not checkpointed yet: " +
				"download the bundle again after that day has ended. 最后一条记录所在日期尚未生成校验点，请于该日结束后重新下载。"
		case err != nil && cp == nil:
			return err
		case err != nil:
			// The checkpoint exists but the event is not among its
			// leaves: the record changed after it was sealed. The
			// bundle says so rather than hiding it.
			seal.Checkpoint = cp
			seal.Note = "BROKEN: " + err.Error()
		default:
			seal.Checkpoint, seal.Inclusion = cp, inc
		}
		if seal.Checkpoint != nil {
			keys, err := s.Checkpoints.Keys(ctx)
			if err != nil {
				return err
			}
			for i := range keys {
				if keys[i].KeyID == seal.Checkpoint.KeyID {
					seal.PublicKey = &keys[i]
				}
			}
		}
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	put := func(name string, body []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: ec.GeneratedAt})
		if err != nil {
			return err
		}
		_, err = f.Write(body)
		return err
	}
	for _, part := range []struct {
		name string
		v    any
	}{{"case.json", ec}, {"events.json", events}, {"checkpoint.json", seal}} {
		b, err := json.MarshalIndent(part.v, "", "  ")
		if err != nil {
			return err
		}
		if err := put(part.name, b); err != nil {
			return err
		}
	}
	if err := put("README.txt", []byte(strings.ReplaceAll(evidenceReadme, "{no}", c.No))); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="evidence-`+c.No+`.zip"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// evidenceReadme is printed in Chinese with an English aid, as the
// hall's notices are (国家通用语言文字法 Art. 9).
const evidenceReadme = `办件 {no} 的记录证据包
==========================

本压缩包包含：
  case.json        办件当前记录的各项事实（状态、日期、期限等）、版本号和最后一条记录的哈希（last_hash）；
  events.json      该办件的全部操作记录，按序号排列，与数据库中存储的完全一致，附每条记录的哈希；
  checkpoint.json  覆盖最后一条记录当天的每日签名校验点、签名公钥，以及最后一条记录在该日默克尔树中的包含证明；
  README.txt       本说明。

如何手工核对
------------
1. 记录链：按序号逐条核对 events.json。
   - 第 1 条的 prev_hash 为空；此后每条的 prev_hash 等于前一条的 hash。
   - canonical 是该条记录被哈希的原文：按固定顺序的 JSON
     {"case","seq","at","actor_id","actor","role","place","action","payload"}，
     其中 at 为 UTC 毫秒时间（如 2026-09-28T02:00:00.000Z），payload 为存储的原文。
     请核对 canonical 中各值与该条记录的字段一致。
   - hash = SHA-256(prev_hash 的文本 ‖ canonical 的文本)，十六进制小写。例如：
       printf '%s%s' "<prev_hash>" '<canonical>' | sha256sum
   - 最后一条的 hash 必须等于 case.json 的 last_hash；记录条数必须等于 version。
   - 每条记录 payload 中的 "record" 写明该操作改变了办件的哪些字段；依次套用后应得到 case.json 的 facts。
2. 默克尔包含证明（RFC 6962 / RFC 9162 §2.1.3.2）：
   - 叶子 = 最后一条记录 hash 的十六进制解码字节；叶子哈希 = SHA-256(0x00 ‖ 叶子)。
   - 设 fn = inclusion.index，sn = inclusion.size - 1，r = 叶子哈希；对 path 中的每一项 p：
       若 fn 为奇数或 fn == sn：r = SHA-256(0x01 ‖ p ‖ r)，然后当 fn 为偶数且不为 0 时反复 fn、sn 各右移一位；
       否则：r = SHA-256(0x01 ‖ r ‖ p)；
       然后 fn、sn 各右移一位。
   - 结束时 sn 必须为 0，r 必须等于 checkpoint.root；inclusion.size 必须等于 checkpoint.events。
3. 签名：checkpoint.statement 即签名原文：
       onestop-checkpoint/1\nday <日期>\nevents <条数>\nroot <根>\nprev <前一日摘要>\n
   用 public_key（Base64 编码的 Ed25519 公钥，key_id 为其 SHA-256 的前 16 位十六进制）验证 signature（Base64）。
4. 与公布的校验点比对：本中心在 /checkpoints 和 /api/v1/checkpoints 公布每日校验点。
   请将 checkpoint.json 中的校验点与您此前保存的或公开渠道获得的同一天校验点比对，
   也可运行 onestop checkpoint check --url <本站地址> --save checkpoints.json。
以上全部成立，即证明该办件截至最后一条记录的全部记录自该日签名后未被删除、增补、调序或改写。
若 checkpoint.json 的 checkpoint 为 null，说明最后一条记录所在日期尚未结束，请次日重新下载。

Evidence bundle of case {no}
============================

Contents:
  case.json        the case row's recorded facts (state, dates, deadlines …), its version and the hash of its last event (last_hash);
  events.json      every event of the case in order, exactly as stored, each with its hash;
  checkpoint.json  the daily signed checkpoint of the day of the last event, the public key that signed it,
                   and the Merkle inclusion proof of the last event in that day's tree;
  README.txt       this file.

How to check it by hand
-----------------------
1. The chain, event by event in seq order:
   - event 1 has an empty prev_hash; every later prev_hash equals the hash of the event before it;
   - canonical is the exact text hashed: JSON with the fields in the fixed order
     {"case","seq","at","actor_id","actor","role","place","action","payload"}, at in UTC milliseconds,
     payload as stored. Check that its values are the event's fields;
   - hash = SHA-256(prev_hash text ‖ canonical text), lower-case hex, e.g.
       printf '%s%s' "<prev_hash>" '<canonical>' | sha256sum
   - the last hash equals case.json's last_hash, and the number of events equals version;
   - each payload's "record" names the row fields the event changed: applied in order they give case.json's facts.
2. The Merkle inclusion proof (RFC 6962; the algorithm of RFC 9162 §2.1.3.2):
   - the leaf is the last event's hash decoded from hex; the leaf hash is SHA-256(0x00 ‖ leaf);
   - fn = inclusion.index, sn = inclusion.size - 1, r = the leaf hash; for each p in path:
       if fn is odd or fn == sn: r = SHA-256(0x01 ‖ p ‖ r), then while fn is even and not 0, shift fn and sn right by one;
       else: r = SHA-256(0x01 ‖ r ‖ p);
       then shift fn and sn right by one;
   - at the end sn must be 0 and r must equal checkpoint.root; inclusion.size must equal checkpoint.events.
3. The signature: checkpoint.statement is the signed text
       onestop-checkpoint/1\nday <day>\nevents <n>\nroot <root>\nprev <digest of the previous day>\n
   verify signature (base64) with public_key (base64 Ed25519; key_id is the first 16 hex digits of its SHA-256).
4. Compare with what was published: the centre publishes every day's checkpoint at /checkpoints and
   /api/v1/checkpoints. Compare checkpoint.json's checkpoint with the same day's that you kept or obtained
   publicly, or run: onestop checkpoint check --url <site> --save checkpoints.json.
If all of this holds, no event of this case up to its last one was deleted, added, reordered or rewritten
since that day was signed. A null checkpoint means the day of the last event has not ended yet: download
the bundle again the next day.
`
