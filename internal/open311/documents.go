package open311

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"strconv"
	"time"

	"onestop/internal/clock"
)

// The documents follow the specification's examples element for element
// (testdata holds them; TestSpecExamples compares the structures). XML is
// the specification's own form; JSON is its Spark-convention mapping: a
// list document is a bare array, and a field the server leaves empty is
// null, as in the examples.

// Document is a response body in both encodings.
type Document interface {
	// jsonValue is what JSON encodes: the list itself for a list
	// document (XML needs the root element around it).
	jsonValue() any
}

// Encode writes d in format f: XML with the declaration the specification
// requires, JSON without HTML escaping (the text is shown as text).
func Encode(f Format, d Document) ([]byte, error) {
	var buf bytes.Buffer
	if f == JSON {
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		err := enc.Encode(d.jsonValue())
		return buf.Bytes(), err
	}
	buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n")
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	buf.WriteByte('\n')
	return buf.Bytes(), nil
}

// Text is a string the server may leave empty: JSON null then, an empty
// element in XML (as the examples show both).
type Text string

func (t Text) MarshalJSON() ([]byte, error) {
	if t == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(t))
}

// Coord is a latitude or longitude that may be missing.
type Coord struct {
	V   float64
	Set bool
}

// CoordOf reads an optional coordinate.
func CoordOf(p *float64) Coord {
	if p == nil {
		return Coord{}
	}
	return Coord{V: *p, Set: true}
}

func (c Coord) MarshalText() ([]byte, error) {
	if !c.Set {
		return nil, nil
	}
	return strconv.AppendFloat(nil, c.V, 'f', -1, 64), nil
}

func (c Coord) MarshalJSON() ([]byte, error) {
	if !c.Set {
		return []byte("null"), nil
	}
	return c.MarshalText()
}

// Time is an instant written as the W3C datetime the specification
// requires, always with the zone: the county's (+08:00).
type Time time.Time

func (t Time) MarshalText() ([]byte, error) {
	if time.Time(t).IsZero() {
		return nil, nil
	}
	return []byte(time.Time(t).In(clock.Shanghai).Format(time.RFC3339)), nil
}

func (t Time) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	b, _ := t.MarshalText()
	return json.Marshal(string(b))
}

// ServiceEntry is one kind of request a client may file (GET services).
type ServiceEntry struct {
	Code        string `xml:"service_code" json:"service_code"`
	Name        string `xml:"service_name" json:"service_name"`
	Description string `xml:"description" json:"description"`
	Metadata    bool   `xml:"metadata" json:"metadata"`
	Type        string `xml:"type" json:"type"` // realtime: the id comes back at once
	Keywords    string `xml:"keywords" json:"keywords"`
	Group       string `xml:"group" json:"group"`
}

// Services is the service list.
type Services struct {
	XMLName xml.Name       `xml:"services"`
	Items   []ServiceEntry `xml:"service"`
}

func (s Services) jsonValue() any { return nonNil(s.Items) }

// Definition is a service's attributes (GET services/{code}).
type Definition struct {
	XMLName    xml.Name    `xml:"service_definition" json:"-"`
	Code       string      `xml:"service_code" json:"service_code"`
	Attributes []Attribute `xml:"attributes>attribute" json:"attributes"`
}

func (d Definition) jsonValue() any {
	d.Attributes = nonNil(d.Attributes)
	return d
}

// Attribute is one extra field of a service's form.
type Attribute struct {
	Variable            bool    `xml:"variable" json:"variable"`
	Code                string  `xml:"code" json:"code"`
	Datatype            string  `xml:"datatype" json:"datatype"`
	Required            bool    `xml:"required" json:"required"`
	DatatypeDescription Text    `xml:"datatype_description" json:"datatype_description"`
	Order               int     `xml:"order" json:"order"`
	Description         string  `xml:"description" json:"description"`
	Values              []Value `xml:"values>value" json:"values"`
}

// Value is one choice of a list attribute.
type Value struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

// Created is the answer to a posted request. We file in real time, so it
// always carries the id, never a token.
type Created struct {
	ID        string `xml:"service_request_id" json:"service_request_id"`
	Notice    string `xml:"service_notice" json:"service_notice"`
	AccountID Text   `xml:"account_id" json:"account_id"`
}

// CreatedList is the POST answer: a list of one.
type CreatedList struct {
	XMLName xml.Name  `xml:"service_requests"`
	Items   []Created `xml:"request"`
}

func (c CreatedList) jsonValue() any { return nonNil(c.Items) }

// Request is a filed request as anyone may read it (GET requests). It
// carries nothing about the person who filed it: no name, phone, email,
// account or device, and the text, place and media only when they agreed
// to publication.
type Request struct {
	ID                string `xml:"service_request_id" json:"service_request_id"`
	Status            string `xml:"status" json:"status"` // open or closed, nothing else
	StatusNotes       Text   `xml:"status_notes" json:"status_notes"`
	ServiceName       string `xml:"service_name" json:"service_name"`
	ServiceCode       string `xml:"service_code" json:"service_code"`
	Description       Text   `xml:"description" json:"description"`
	AgencyResponsible Text   `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     Text   `xml:"service_notice" json:"service_notice"`
	Requested         Time   `xml:"requested_datetime" json:"requested_datetime"`
	Updated           Time   `xml:"updated_datetime" json:"updated_datetime"`
	Expected          Time   `xml:"expected_datetime" json:"expected_datetime"`
	Address           Text   `xml:"address" json:"address"`
	AddressID         Text   `xml:"address_id" json:"address_id"`
	Zipcode           Text   `xml:"zipcode" json:"zipcode"`
	Lat               Coord  `xml:"lat" json:"lat"`
	Long              Coord  `xml:"long" json:"long"`
	MediaURL          Text   `xml:"media_url" json:"media_url"`
}

// Requests is the GET answer.
type Requests struct {
	XMLName xml.Name  `xml:"service_requests"`
	Items   []Request `xml:"request"`
}

func (r Requests) jsonValue() any { return nonNil(r.Items) }

// Error is one problem with a request. Code is the HTTP status, or a more
// precise number where the specification allows it (429: too many).
type Error struct {
	Code        int    `xml:"code" json:"code"`
	Description string `xml:"description" json:"description"`
}

// Errors is the error document: several problems are listed at once.
type Errors struct {
	XMLName xml.Name `xml:"errors"`
	Items   []Error  `xml:"error"`
}

func (e Errors) jsonValue() any { return nonNil(e.Items) }

// Discovery is the service discovery document (Service_Discovery in the
// specification's wiki): where the endpoint is, its formats, whom to ask
// for a key.
type Discovery struct {
	XMLName    xml.Name   `xml:"discovery" json:"-"`
	Changeset  string     `xml:"changeset" json:"changeset"`
	Contact    string     `xml:"contact" json:"contact"`
	KeyService string     `xml:"key_service" json:"key_service"`
	Endpoints  []Endpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

func (d Discovery) jsonValue() any { return d }

// Endpoint is one API the discovery document lists.
type Endpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
