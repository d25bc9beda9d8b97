/* returnbot's page without reloads. The page works without this file: the form is a GET
   and every follow-up is a link. With it, a question (typed, or a follow-up link) fetches
   /answer, the same answer as the page would show, rendered and escaped by the server, and
   puts it above the earlier ones; the form then carries the new signed context, the
   language links and the address follow the new answer, and the focus moves to it. */
(function () {
  "use strict";
  var form = document.getElementById("ask");
  var answers = document.getElementById("answers");
  if (!form || !answers || !window.fetch || !window.URLSearchParams || !window.history.pushState) {
    return;
  }
  var main = document.getElementById("main");
  var status = document.getElementById("status");
  var error = document.getElementById("error");
  var input = form.elements.q;
  var busy = false;

  function showError(text) {
    error.textContent = text;
    error.hidden = false;
    input.focus();
  }

  function clearError() {
    error.textContent = "";
    error.hidden = true;
    input.removeAttribute("aria-invalid");
  }

  function show(article) {
    if (article.getAttribute("data-lang") !== document.documentElement.lang) {
      // The page's own texts change language with the answer: load the page itself.
      window.location.assign(article.getAttribute("data-page"));
      return;
    }
    answers.insertBefore(article, answers.firstChild);
    form.elements.ctx.value = article.getAttribute("data-ctx");
    var links = document.querySelectorAll(".langs a[data-lang]");
    for (var i = 0; i < links.length; i++) {
      links[i].href = article.getAttribute("data-switch-" + links[i].getAttribute("data-lang"));
    }
    document.title = article.getAttribute("data-title");
    window.history.pushState(null, "", article.getAttribute("data-page"));
    input.value = "";
    article.querySelector("h2").focus();
  }

  function ask(params) {
    if (busy) {
      return;
    }
    busy = true;
    clearError();
    status.textContent = form.getAttribute("data-loading");
    answers.setAttribute("aria-busy", "true");
    fetch("/answer?" + params.toString(), { headers: { "Accept": "text/html" }, credentials: "omit" })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var holder = document.createElement("template");
        holder.innerHTML = html;
        var node = holder.content.firstElementChild;
        if (node && node.classList.contains("answer")) {
          show(node);
        } else if (node && node.classList.contains("error")) {
          showError(node.textContent);
        } else {
          showError(form.getAttribute("data-network-error"));
        }
      })
      .catch(function () {
        showError(form.getAttribute("data-network-error"));
      })
      .then(function () {
        busy = false;
        status.textContent = "";
        answers.removeAttribute("aria-busy");
      });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var params = new URLSearchParams();
    var fields = form.elements;
    for (var i = 0; i < fields.length; i++) {
      var field = fields[i];
      if (field.name && field.value.trim()) {
        params.set(field.name, field.name === "q" ? field.value.trim() : field.value);
      }
    }
    if (!params.get("q")) {
      input.focus();
      return;
    }
    ask(params);
  });

  // Follow-up questions and examples are links: a plain click asks without a reload; a click
  // that opens a tab or a window is left to the browser.
  main.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.ask") : null;
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return;
    }
    event.preventDefault();
    ask(new URL(link.href).searchParams);
  });

  window.addEventListener("popstate", function () {
    window.location.reload();
  });
}());
