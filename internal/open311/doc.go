// Package open311 is the Open311 GeoReport v2 protocol over the enquiry
// service (咨询、投诉): the documents and their XML and JSON encodings, the
// error format, the reading and checking of a posted request and of a
// query, and the API keys of the civic apps that file requests
// (docs/OPEN311.md; the specification is summarised in
// INTEGRATIONS.md §3). It holds no enquiry rules: filing, numbering,
// deadlines and states are the enquiry service's.
package open311
