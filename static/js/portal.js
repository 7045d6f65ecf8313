// Small progressive enhancements; every page works without them.
"use strict";

// "Alle an- bzw. abwählen": tick every billing unit, or none if all were ticked (manual §5 e).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-toggle-all]");
  if (!button || !button.form) {
    return;
  }
  event.preventDefault();
  var boxes = Array.prototype.slice.call(button.form.querySelectorAll('input[type="checkbox"][name="units"]'));
  var allTicked = boxes.length > 0 && boxes.every(function (box) { return box.checked; });
  boxes.forEach(function (box) { box.checked = !allTicked; });
});

// A second click on "Speichern" while the first is on its way sends nothing (the server guards too).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  if (button && button.hasAttribute("data-once")) {
    if (button.getAttribute("aria-disabled") === "true") {
      event.preventDefault();
      return;
    }
    button.setAttribute("aria-disabled", "true");
  }
});

// The session-timeout warning (WCAG 2.2.1 Timing Adjustable): two minutes before the idle logout a warning with
// "Sitzung verlängern" appears (role="alert", so screen readers announce it) and takes the focus; the button
// starts the idle clock again. At the timeout the page reloads, and the server's logout explains why; a page with
// typed input stays as it is and says that the session has ended, so that nothing typed is thrown away: sending
// its form leads to the login, and a form marked data-keeps-input is filled in again after it.
(function () {
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-timeout"), 10);
  var keepalive = body.getAttribute("data-keepalive-url");
  var warning = document.getElementById("session-warning");
  var extend = document.getElementById("session-extend");
  if (!idle || !keepalive || !warning || !extend) {
    return;
  }
  var WARN_BEFORE = 120;
  var timers = [];
  var typedInto = null;
  document.addEventListener("input", function (event) {
    var form = event.target.form;
    if (form && form.method === "post") {
      typedInto = form;
    }
  });
  function ended() {
    if (!typedInto) {
      window.location.reload();
      return;
    }
    var kept = typedInto.hasAttribute("data-keeps-input");
    document.getElementById("session-warning-soon").hidden = true;
    document.getElementById(kept ? "session-ended-kept" : "session-ended").hidden = false;
    extend.hidden = true;
    warning.hidden = false;
    warning.focus();
  }
  function schedule() {
    timers.forEach(clearTimeout);
    timers = [
      setTimeout(function () {
        warning.hidden = false;
        extend.focus();
      }, Math.max(0, idle - WARN_BEFORE) * 1000),
      setTimeout(ended, (idle + 1) * 1000),
    ];
  }
  extend.addEventListener("click", function () {
    fetch(keepalive, { credentials: "same-origin", redirect: "manual" }).then(function (response) {
      if (response.status === 204) {
        warning.hidden = true;
        schedule();
      } else {
        window.location.reload();
      }
    });
  });
  schedule();
})();

// "Drucken": the browser's print dialog; the print stylesheet leaves out menus, filters and buttons.
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// On a narrow screen the main menu starts folded under "Menü", and the list's filters besides the search under
// "Weitere Filter", and "Handlungsbedarf" unless it was left open in this browser (each a <details> that is open without
// script), so that the page starts with what it is for.
(function () {
  if (window.matchMedia && window.matchMedia("(max-width: 40rem)").matches) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-fold-when-narrow]:not([data-keep-open])"), function (details) {
      if (details.open) {
        details.setAttribute("data-folded-for-width", "");  // not the administrator's choice: not remembered
        details.open = false;
      }
    });
  }
})();

// A box that remembers whether it is folded ("Handlungsbedarf"): a cookie of this browser, read by the server when it
// draws the page, so the box is drawn as it was left. A display preference, nothing more.
document.addEventListener("toggle", function (event) {
  var box = event.target;
  if (!box.hasAttribute || !box.hasAttribute("data-remember-open")) {
    return;
  }
  if (box.hasAttribute("data-folded-for-width")) {
    box.removeAttribute("data-folded-for-width");
    return;
  }
  var secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = box.getAttribute("data-remember-open") + "=" + (box.open ? "auf" : "zu") +
    "; path=/; max-age=31536000; SameSite=Lax" + secure;
}, true);

// After a refused submit the error summary takes the focus (GOV.UK pattern), so the keyboard and a screen reader start
// at the list of what to correct. Otherwise a panel the page opens with (the new one-time password), or the panel a link
// leads to ("Einmalpasswort anzeigen"
// in "Handlungsbedarf": #einmalpasswort), takes the focus, so a screen reader reads it first and the keyboard goes on
// from there. The browser scrolls to an anchor but leaves the focus at the top of the page.
document.addEventListener("DOMContentLoaded", function () {
  var panel = document.querySelector("[data-error-summary]") || document.querySelector("[data-focus-on-load]");
  if (!panel && window.location.hash.length > 1) {
    panel = document.getElementById(decodeURIComponent(window.location.hash.slice(1)));
    if (panel && !panel.hasAttribute("tabindex")) {
      panel = null;
    }
  }
  if (panel) {
    panel.focus();
  }
});

// A page with a form that the browser shows again from its memory ("Zurück" after saving) is loaded afresh, so it
// shows what is saved now; the server then says that the changes were saved already.
window.addEventListener("pageshow", function (event) {
  if (event.persisted && document.querySelector("[data-fresh-on-return]")) {
    window.location.reload();
  }
});

// A link of the error summary puts the focus into its field, with the field's label in view (a browser scrolls to an
// anchor but does not focus it).
document.addEventListener("click", function (event) {
  var link = event.target.closest("[data-error-link]");
  if (!link) {
    return;
  }
  var field = document.getElementById(link.getAttribute("href").slice(1));
  if (!field) {
    return;
  }
  event.preventDefault();
  var label = document.querySelector('label[for="' + field.id + '"]') || field.closest("fieldset");
  (label || field).scrollIntoView();
  field.focus({ preventScroll: true });
});
