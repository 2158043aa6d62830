package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"onestop/internal/apperr"
	"onestop/internal/org"
	"onestop/internal/store"
	"onestop/internal/web"
)

const userHelp = `onestop user — manage staff accounts from the server's console

  onestop user create --username NAME --name 姓名 --role ROLE (--centre CODE | --scope province) [--department CODE] [--window NUMBER]
  onestop user reset  --username NAME

The password is read from ONESTOP_PASSWORD, or from the first line of standard input.
Roles: clerk, reviewer, approver, dept_admin, centre_admin, supervisor, leader.
Every account is bound to a centre, except an installation-wide one (--scope province, for
centre_admin, supervisor or leader). The first account of a new installation, before any centre
exists, is: --role centre_admin --scope province.`

// system is the console operator: whoever runs the binary on the server
// holds the database, so it is installation-wide; recorded as "console"
// in the audit log.
var system = org.Actor{Username: "console", Name: "系统控制台", Role: org.CentreAdmin, Province: true, Address: "console"}

func cmdUser(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, err := subcommand(args, userHelp, stderr, "create", "reset")
	if sub == "" {
		return err
	}
	fs := newFlagSet("user "+sub, userHelp, stderr)
	var c common
	c.register(fs)
	username := fs.String("username", "", "login name (3–32 lower-case letters, digits, . _ -)")
	name := fs.String("name", "", "the person's name")
	role := fs.String("role", "", "role")
	centre := fs.String("centre", "", "centre code")
	dept := fs.String("department", "", "department code")
	window := fs.String("window", "", "window number at the centre")
	scope := fs.String("scope", "", `"province" for an installation-wide account (no centre)`)
	lang := fs.String("lang", "zh-CN", "language of the messages: zh-CN or en")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	pw, err := readPassword()
	if err != nil {
		return err
	}
	db, err := openMigrated(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := &org.Service{DB: db, Now: time.Now}
	if sub == "reset" {
		st, err := svc.StaffByUsername(ctx, *username)
		if err != nil {
			return fmt.Errorf("no account %q", *username)
		}
		if err := svc.ResetPassword(ctx, system, st.ID, pw); err != nil {
			return explain(err, *lang)
		}
		fmt.Fprintf(stdout, "password of %s reset; it must be changed at next login\n", st.Username)
		return nil
	}
	in := org.StaffInput{Username: *username, Name: *name, Role: org.Role(*role), Password: pw, Scope: *scope}
	if in.CentreID, err = lookupID(ctx, db, "centres", "code", *centre); err != nil {
		return err
	}
	if in.DepartmentID, err = lookupID(ctx, db, "departments", "code", *dept); err != nil {
		return err
	}
	if *window != "" {
		if err := db.R.QueryRowContext(ctx, `SELECT id FROM windows WHERE centre_id = $1 AND number = $2 AND retired_at IS NULL`, in.CentreID, *window).Scan(&in.WindowID); err != nil {
			return fmt.Errorf("no window %q at centre %q", *window, *centre)
		}
	}
	st, err := svc.CreateStaff(ctx, system, in)
	if err != nil {
		return explain(err, *lang)
	}
	fmt.Fprintf(stdout, "created %s (%s), id %d; the password must be changed at first login\n", st.Username, st.Role, st.ID)
	return nil
}

func lookupID(ctx context.Context, db *store.DB, table, col, val string) (int64, error) {
	if val == "" {
		return 0, nil
	}
	var id int64
	err := db.R.QueryRowContext(ctx, "SELECT id FROM "+table+" WHERE "+col+" = $1", val).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("no %s with code %q", strings.TrimSuffix(table, "s"), val)
	}
	return id, err
}

func readPassword() (string, error) {
	if pw := os.Getenv("ONESTOP_PASSWORD"); pw != "" {
		return pw, nil
	}
	fmt.Fprint(os.Stderr, "password: ")
	line, err := bufio.NewReader(os.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", errors.New("no password: set ONESTOP_PASSWORD or type it on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// explain puts a refusal into words, as the pages would say it.
func explain(err error, lang string) error {
	if apperr.As(err) == nil {
		return err
	}
	return errors.New(web.Explain(err, lang))
}
