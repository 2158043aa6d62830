// Progressive enhancement for the case pages; each works without it.
document.addEventListener("DOMContentLoaded", function () {
  // Window intake: name the returning applicant as soon as the whole ID
  // number is typed, so the clerk can check it against the card.
  var id = document.getElementById("f-id_number");
  var who = document.getElementById("intake-who");
  if (id && who) {
    var last = "";
    id.addEventListener("input", function () {
      var v = id.value.trim().toUpperCase();
      if (v.length !== 18 || v === last) { if (v.length !== 18) who.textContent = ""; return; }
      last = v;
      fetch("/api/v1/applicants?q=" + encodeURIComponent(v), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (d) {
          var hit = (d.items || []).filter(function (a) { return a.id_number === v; })[0];
          who.textContent = hit ? hit.name + " · " + hit.phone : (who.getAttribute("data-new") || "");
        })
        .catch(function () { who.textContent = ""; });
    });
  }
  // Print buttons on documents.
  document.querySelectorAll("button[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
});
