// Queue tickets: the hall screen kept current from the server's event
// stream (without JavaScript it is the screen as of its loading), and the
// kiosk's slip (print, then back to the kiosk).
(function () {
  "use strict";
  var slip = document.querySelector("[data-queue-return]");
  if (slip) {
    var print = slip.querySelector("[data-queue-print]");
    if (print) { print.addEventListener("click", function () { window.print(); }); }
    // The next person at the kiosk starts from the groups again.
    setTimeout(function () { window.location.href = slip.getAttribute("data-queue-return"); }, 20000);
  }

  var root = document.querySelector("[data-queue-stream]");
  if (!root || !window.EventSource) { return; }
  var status = document.querySelector("[data-queue-status]");
  var calls = root.querySelector("[data-queue-calls]");
  var groups = root.querySelector("[data-queue-groups]");
  var say = root.querySelector("[data-queue-say]");

  function setStatus(s) {
    if (!status) { return; }
    status.textContent = status.getAttribute("data-" + s);
    status.className = "screen-status screen-" + s;
  }

  function cell(tr, text, cls) {
    var td = document.createElement("td");
    td.textContent = text;
    if (cls) { td.className = cls; }
    tr.appendChild(td);
  }

  function render(v) {
    while (calls.firstChild) { calls.removeChild(calls.firstChild); }
    v.calls.forEach(function (c) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-testid", "screen-call");
      cell(tr, c.no, "no");
      cell(tr, root.getAttribute("data-window").replace("{{.N}}", c.window));
      cell(tr, c.serving ? root.getAttribute("data-serving") : root.getAttribute("data-calling"));
      calls.appendChild(tr);
    });
    v.groups.forEach(function (g) {
      var row = groups.querySelector('tr[data-prefix="' + g.prefix + '"] td.num');
      if (row) { row.textContent = String(g.waiting); row.setAttribute("data-waiting", String(g.waiting)); }
    });
    if (say.textContent !== v.say) {
      say.textContent = v.say;
      say.classList.add("changed");
      setTimeout(function () { say.classList.remove("changed"); }, 3000);
    }
  }

  var es = new EventSource(root.getAttribute("data-queue-stream"));
  es.addEventListener("open", function () { setStatus("live"); });
  es.addEventListener("error", function () { setStatus("reconnecting"); });
  es.addEventListener("screen", function (e) {
    setStatus("live");
    try { render(JSON.parse(e.data)); } catch (err) { /* a bad event: keep the screen */ }
  });
}());
