// gongxin back office: the few behaviours its pages need, served from /static so that the
// Content-Security-Policy can forbid inline scripts (script-src 'self').
"use strict";

// <form data-confirm="question">: ask before submitting.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
