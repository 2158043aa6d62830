// Progressive enhancement only: every page works without this file.
document.addEventListener("DOMContentLoaded", function () {
  // Ask before retiring: the action is reversible only by an administrator.
  document.querySelectorAll("form.danger").forEach(function (f) {
    f.addEventListener("submit", function (e) {
      var msg = document.documentElement.lang === "en" ? "Retire this record?" : "确定停用吗？";
      if (!window.confirm(msg)) e.preventDefault();
    });
  });
  // Put the cursor on the first field with an error.
  var bad = document.querySelector("[aria-invalid=true]");
  if (bad) bad.focus();
});
// A copy button (data-copy="#field") copies its field's value: the camera
// links' playback address goes into a player by hand.
document.addEventListener("click", function (e) {
  var b = e.target.closest && e.target.closest("[data-copy]");
  if (!b) return;
  var f = document.querySelector(b.getAttribute("data-copy"));
  if (!f) return;
  f.select();
  if (navigator.clipboard) navigator.clipboard.writeText(f.value);
});
