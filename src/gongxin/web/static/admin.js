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

// <form data-upload>: send the files with XMLHttpRequest so that a progress bar shows how much
// has gone; the server's answer (the page with each file's summary) then replaces this page.
// Without JavaScript the form posts as usual and the same page comes back.
function showUploadError(form, zh, en) {
  var box = form.querySelector(".upload-error");
  if (!box) {
    box = document.createElement("div");
    box.className = "error upload-error";
    box.setAttribute("role", "alert");
    form.insertBefore(box, form.firstChild);
  }
  box.textContent = "";
  var p = document.createElement("p");
  p.textContent = zh;
  box.appendChild(p);
  if (en) {
    var q = document.createElement("p");
    q.className = "en";
    q.lang = "en";
    q.textContent = en;
    box.appendChild(q);
  }
}

document.addEventListener("submit", function (event) {
  var form = event.target;
  if (event.defaultPrevented || !form.hasAttribute || !form.hasAttribute("data-upload")) {
    return;
  }
  if (!window.FormData || !window.XMLHttpRequest || !window.DOMParser) {
    return;
  }
  event.preventDefault();
  var box = form.querySelector(".progress");
  var bar = box.querySelector("progress");
  var text = box.querySelector(".progress-text");
  var button = form.querySelector("button[type=submit]");
  var xhr = new XMLHttpRequest();
  xhr.open("POST", form.action);
  xhr.upload.addEventListener("progress", function (e) {
    if (e.lengthComputable) {
      var percent = Math.round((e.loaded * 100) / e.total);
      bar.value = percent;
      text.textContent = "已上传 " + percent + "%";
    }
  });
  xhr.upload.addEventListener("load", function () {
    bar.value = 100;
    text.textContent = "上传完毕，正在校验入库……";
  });
  xhr.addEventListener("load", function () {
    var type = xhr.getResponseHeader("content-type") || "";
    if (type.indexOf("text/html") === 0) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      document.title = doc.title;
      document.body.replaceWith(document.adoptNode(doc.body));
      if (xhr.responseURL) {
        window.history.replaceState(null, "", xhr.responseURL);
      }
      window.scrollTo(0, 0);
      return;
    }
    var zh = "上传失败（HTTP " + xhr.status + "）";
    var en = "";
    try {
      var body = JSON.parse(xhr.responseText);
      zh = body.zh || zh;
      en = body.en || "";
    } catch (ignored) {
      // not JSON: keep the status line
    }
    box.hidden = true;
    button.disabled = false;
    showUploadError(form, zh, en);
  });
  xhr.addEventListener("error", function () {
    box.hidden = true;
    button.disabled = false;
    showUploadError(form, "网络中断，文件未上传完，请重试", "the connection broke; try again");
  });
  box.hidden = false;
  bar.value = 0;
  text.textContent = "开始上传……";
  button.disabled = true;
  xhr.send(new FormData(form));
});
