/*
 * Objection form and lookup form: progressive enhancement. The comment form on a draft policy
 * (data-kind="comment") and its lookup are the same forms and get the same treatment; only the
 * words of the receipt and of the answer differ.
 *
 * Without this script both forms are plain posts to the CMS, which answers with a page. With it,
 * fields are checked as they are filled in, the form is sent with fetch (JSON answers, an
 * Idempotency-Key so a retry never files a second objection) and the answer is shown on this
 * page. Requirements and limits are read from the page: the required/minlength/maxlength
 * attributes and the form's data- attributes, rendered at build time from the API's own
 * description. Nothing here knows a limit of its own, and the server decides everything again.
 */
(function () {
  "use strict";

  if (!window.fetch || !window.FormData || !document.querySelector) {
    return; // an old browser keeps the plain form post
  }

  // --- small helpers -------------------------------------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) {
      node.removeChild(node.firstChild);
    }
  }

  function chars(text) {
    return Array.from(text).length; // code points, as the server counts them
  }

  function newKey() {
    var crypto = window.crypto;
    if (crypto && typeof crypto.randomUUID === "function") {
      return crypto.randomUUID();
    }
    if (crypto && typeof crypto.getRandomValues === "function") {
      var bytes = crypto.getRandomValues(new Uint8Array(16));
      return Array.from(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      }).join("");
    }
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function beijingTime(iso) {
    if (!iso) {
      return "";
    }
    var moment = new Date(iso);
    if (isNaN(moment.getTime())) {
      return iso;
    }
    return moment.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai", hour12: false }) + "（北京时间）";
  }

  function factList(rows) {
    var list = el("dl", { class: "receipt" });
    rows.forEach(function (row) {
      if (row[1]) {
        list.appendChild(el("div", {}, [el("dt", {}, [row[0]]), el("dd", {}, [row[1]])]));
      }
    });
    return list;
  }

  // --- fields and their messages ---------------------------------------------------------

  function labelOf(wrapper) {
    var legend = wrapper.querySelector("legend");
    var label = legend || wrapper.querySelector("label");
    if (!label) {
      return "";
    }
    var copy = label.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll(".required-mark"), function (mark) {
      mark.parentNode.removeChild(mark);
    });
    return copy.textContent.replace(/\s+/g, " ").replace(/[。：:]$/, "").trim();
  }

  function controlsOf(wrapper) {
    return Array.prototype.slice.call(wrapper.querySelectorAll("input, select, textarea"));
  }

  function focusTarget(wrapper) {
    var controls = controlsOf(wrapper);
    var checked = controls.filter(function (c) {
      return c.checked;
    });
    return checked[0] || controls[0];
  }

  /** What is wrong with one field, from the constraints the page declares; "" if nothing. */
  function problemOf(wrapper, form) {
    var controls = controlsOf(wrapper);
    var control = controls[0];
    if (!control) {
      return "";
    }
    var label = labelOf(wrapper);
    if (control.type === "radio") {
      var required = controls.some(function (c) {
        return c.required;
      });
      var chosen = controls.some(function (c) {
        return c.checked;
      });
      return required && !chosen ? "请选择" + label + "。" : "";
    }
    if (control.type === "checkbox") {
      return control.required && !control.checked ? "请勾选：" + label : "";
    }
    if (control.type === "file") {
      var files = Array.prototype.slice.call(control.files || []);
      var maxFiles = Number(form.dataset.maxFiles);
      var maxBytes = Number(form.dataset.maxFileBytes);
      if (maxFiles && files.length > maxFiles) {
        return "证明材料最多" + maxFiles + "个文件，您选择了" + files.length + "个。";
      }
      var large = files.filter(function (file) {
        return maxBytes && file.size > maxBytes;
      });
      if (large.length) {
        return (
          "单个证明材料不得超过" + form.dataset.maxFileMb + "MB：" +
          large.map(function (file) { return file.name; }).join("、") + "。"
        );
      }
      return "";
    }
    var value = control.value.trim();
    if (!value) {
      if (!control.required) {
        return "";
      }
      return (control.tagName === "SELECT" ? "请选择" : "请填写") + label + "。";
    }
    var length = chars(value);
    if (control.minLength > 0 && length < control.minLength) {
      return label + "至少" + control.minLength + "字，目前" + length + "字。";
    }
    if (control.maxLength > 0 && length > control.maxLength) {
      return label + "最多" + control.maxLength + "字，目前" + length + "字。";
    }
    if (control.validity && control.validity.typeMismatch) {
      return label + "格式不正确。";
    }
    return "";
  }

  function describedBy(control, id, add) {
    var ids = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    ids = ids.filter(function (existing) {
      return existing !== id;
    });
    if (add) {
      ids.push(id);
    }
    if (ids.length) {
      control.setAttribute("aria-describedby", ids.join(" "));
    } else {
      control.removeAttribute("aria-describedby");
    }
  }

  /** Shows (or with "" removes) a field's message, tied to its control by aria-describedby. */
  function showFieldMessage(wrapper, message) {
    var slot = wrapper.querySelector(".field-error");
    if (!slot) {
      return;
    }
    slot.textContent = message;
    slot.hidden = !message;
    wrapper.classList.toggle("has-error", Boolean(message));
    var target = wrapper.tagName === "FIELDSET" ? [wrapper] : controlsOf(wrapper);
    target.forEach(function (control) {
      describedBy(control, slot.id, Boolean(message));
      if (control !== wrapper) {
        if (message) {
          control.setAttribute("aria-invalid", "true");
        } else {
          control.removeAttribute("aria-invalid");
        }
      }
    });
  }

  function wrappers(form) {
    return Array.prototype.slice.call(form.querySelectorAll("[data-field]"));
  }

  function wrapperFor(form, name) {
    return wrappers(form).filter(function (w) {
      return w.getAttribute("data-field") === name;
    })[0];
  }

  /** The error summary: a heading and one link per problem, focused so it is read out. */
  function showSummary(region, heading, problems) {
    clear(region);
    if (!problems.length) {
      return;
    }
    var list = el("ul");
    problems.forEach(function (problem) {
      var item = el("li");
      var target = problem.wrapper && focusTarget(problem.wrapper);
      if (target && target.id) {
        var link = el("a", { href: "#" + target.id }, [problem.message]);
        link.addEventListener("click", function (event) {
          event.preventDefault();
          target.focus();
        });
        item.appendChild(link);
      } else {
        item.appendChild(document.createTextNode(problem.message));
      }
      list.appendChild(item);
    });
    region.appendChild(el("h3", {}, [heading]));
    region.appendChild(list);
    region.focus();
  }

  function checkAll(form) {
    return wrappers(form)
      .map(function (wrapper) {
        var message = problemOf(wrapper, form);
        showFieldMessage(wrapper, message);
        return { wrapper: wrapper, message: message };
      })
      .filter(function (problem) {
        return problem.message;
      });
  }

  // A field's message shown or removed when the field loses the focus (blur, and the change
  // event a changed text field fires with it) moves everything below it. When the focus left
  // because a pointer was pressed on something else, that move would come between the press and
  // the release, and the click would land beside what was pressed (the consent checkbox, say).
  // So while a pointer is down, such checks wait until just after its release (and its click);
  // by keyboard they run at once.
  var pressed = false;
  var afterRelease = [];

  function press() {
    pressed = true;
  }

  function release() {
    if (!pressed) {
      return;
    }
    window.setTimeout(function () {
      pressed = false;
      afterRelease.splice(0).forEach(function (run) {
        run();
      });
    }, 0);
  }

  function whenReleased(run) {
    if (!pressed) {
      run();
    } else if (afterRelease.indexOf(run) === -1) {
      afterRelease.push(run);
    }
  }

  ["pointerdown", "mousedown"].forEach(function (type) {
    document.addEventListener(type, press, true);
  });
  ["pointerup", "mouseup", "pointercancel", "dragend"].forEach(function (type) {
    document.addEventListener(type, release, true);
  });

  function watchFields(form) {
    wrappers(form).forEach(function (wrapper) {
      var touched = false;
      var check = function () {
        showFieldMessage(wrapper, problemOf(wrapper, form));
      };
      controlsOf(wrapper).forEach(function (control) {
        control.addEventListener("blur", function () {
          touched = true;
          whenReleased(check);
        });
        control.addEventListener("change", function () {
          touched = true;
          whenReleased(check); // a changed text field fires it as it loses the focus, too
        });
        control.addEventListener("input", function () {
          if (touched) {
            check();
          }
        });
      });
    });
  }

  /** The API's error ({"error": {code, message, field, details}}) on the fields it names. */
  function showServerError(form, region, error) {
    wrappers(form).forEach(function (wrapper) {
      showFieldMessage(wrapper, "");
    });
    var details = error.details && error.details.length ? error.details : [error];
    var problems = details.map(function (detail) {
      var wrapper = detail.field ? wrapperFor(form, detail.field) : null;
      if (wrapper) {
        showFieldMessage(wrapper, detail.message);
      }
      return { wrapper: wrapper, message: detail.message };
    });
    showSummary(region, "未能受理，请修改后重新提交：", problems);
  }

  async function send(form, headers, body) {
    var response = await fetch(form.action, {
      method: "POST",
      body: body,
      headers: headers,
      credentials: "omit",
      mode: "cors",
    });
    var data = null;
    try {
      data = await response.json();
    } catch (ignored) {
      data = null;
    }
    return { status: response.status, ok: response.ok, data: data, response: response };
  }

  function isComment(form) {
    return form.dataset.kind === "comment";
  }

  function noun(form) {
    return isComment(form) ? "意见" : "异议";
  }

  function unexpected(answer, form) {
    return {
      message:
        "服务器暂时无法处理（HTTP " + answer.status + "），" + noun(form) +
        "尚未受理。表单内容已保留，请稍后重试。",
    };
  }

  function busy(form, on) {
    form.setAttribute("aria-busy", on ? "true" : "false");
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
      b.disabled = on;
    });
  }

  // --- the objection form ----------------------------------------------------------------

  function receipt(form, outcome, data, again) {
    clear(outcome);
    var comment = isComment(form);
    var heading = el("h3", { tabindex: "-1" }, [comment ? "意见已收到" : "异议已受理"]);
    outcome.appendChild(heading);
    outcome.appendChild(
      el("p", {}, [
        comment
          ? "您对《" + data.policy_title + "》提出的意见已收到，感谢您的参与。"
          : "您对公告 " + data.notice_number + " 中事项 " + data.project_code + " 提出的异议已受理。",
      ])
    );
    outcome.appendChild(
      factList([
        ["受理编号", data.receipt_number],
        ["查询码", data.lookup_code],
        ["状态", data.status_label],
        ["提交时间", beijingTime(data.submitted_at)],
      ])
    );
    outcome.appendChild(
      el("p", { class: "warning" }, [
        el("strong", {}, ["请记下或打印本页。"]),
        comment
          ? "查询码只显示这一次，凭受理编号和查询码可在本页下方查询答复；答复将通过电子邮件发送给您。"
          : "查询码只显示这一次，凭受理编号和查询码可查询处理结果；调查处理意见将通过电子邮件答复您。",
      ])
    );
    var print = el("button", { type: "button", class: "button" }, ["打印回执"]);
    print.addEventListener("click", function () {
      window.print();
    });
    var another = el("button", { type: "button", class: "button button-secondary" }, [
      comment ? "再提出一条意见" : "再提出一项异议",
    ]);
    another.addEventListener("click", again);
    var actions = [print, " ", another];
    if (form.dataset.statusUrl) {
      actions.push(" ", el("a", { href: form.dataset.statusUrl }, ["查询处理结果"]));
    }
    outcome.appendChild(el("p", { class: "actions" }, actions));
    heading.focus();
  }

  function enhanceObjectionForm(form) {
    var errors = document.getElementById(form.dataset.errors);
    var outcome = document.getElementById(form.dataset.outcome);
    var key = newKey(); // one per objection: a retry of the same form is the same objection
    form.noValidate = true; // this script shows the messages, next to the fields
    watchFields(form);

    // A link such as ?item=42#objection (from a rejection page) preselects that item.
    var wanted = new URLSearchParams(window.location.search).get("item");
    var select = form.querySelector("select[name=item]");
    if (wanted && select) {
      Array.prototype.forEach.call(select.options, function (option) {
        if (option.value === wanted) {
          select.value = wanted;
        }
      });
    }

    function again() {
      form.reset();
      key = newKey();
      form.hidden = false;
      document.body.classList.remove("receipt-ready");
      clear(outcome);
      clear(errors);
      var first = form.querySelector("select, input, textarea");
      if (first) {
        first.focus();
      }
    }

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      clear(outcome);
      var problems = checkAll(form);
      if (problems.length) {
        showSummary(errors, "提交前请修改以下问题：", problems);
        return;
      }
      clear(errors);
      busy(form, true);
      outcome.textContent = "正在提交，请稍候……";
      var answer;
      try {
        answer = await send(
          form,
          { Accept: "application/json", "Idempotency-Key": key },
          new FormData(form)
        );
      } catch (failure) {
        busy(form, false);
        outcome.textContent =
          "网络连接失败，" + noun(form) + "尚未提交成功。您填写的内容仍保留在表单中，" +
          "请检查网络后再次点击“提交" + noun(form) + "”；重复提交不会重复受理。";
        return;
      }
      busy(form, false);
      if (answer.status === 201 && answer.data && answer.data.receipt_number) {
        clear(errors);
        form.hidden = true;
        document.body.classList.add("receipt-ready");
        receipt(form, outcome, answer.data, again);
        return;
      }
      clear(outcome);
      var error = (answer.data && answer.data.error) || unexpected(answer, form);
      showServerError(form, errors, error);
    });
  }

  // --- the lookup form -------------------------------------------------------------------

  function result(form, outcome, data) {
    clear(outcome);
    var comment = isComment(form);
    var heading = el(comment ? "h4" : "h2", { tabindex: "-1" }, [
      comment ? "意见答复" : "异议处理结果",
    ]);
    outcome.appendChild(heading);
    outcome.appendChild(
      factList(
        comment
          ? [
              ["受理编号", data.receipt_number],
              ["政策文件", data.policy_title],
              ["状态", data.status_label],
              ["采纳情况", data.outcome_label],
              ["答复时间", beijingTime(data.answered_at)],
            ]
          : [
              ["受理编号", data.receipt_number],
              ["公告编号", data.notice_number],
              ["异议事项", data.project_code],
              ["状态", data.status_label],
              ["处理结论", data.outcome_label],
              ["答复时间", beijingTime(data.answered_at)],
            ]
      )
    );
    if (data.answer) {
      outcome.appendChild(el(comment ? "h5" : "h3", {}, [comment ? "答复意见" : "调查处理意见"]));
      outcome.appendChild(el("p", { class: "answer" }, [data.answer]));
    } else {
      outcome.appendChild(
        el("p", {}, [
          comment
            ? "您的意见正在研究中，答复后将以电子邮件通知您。"
            : "尚在核实处理中，答复后将以电子邮件通知您。",
        ])
      );
    }
    heading.focus();
  }

  function enhanceLookupForm(form) {
    var errors = document.getElementById(form.dataset.errors);
    var outcome = document.getElementById(form.dataset.outcome);
    form.noValidate = true;
    watchFields(form);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      clear(outcome);
      var problems = checkAll(form);
      if (problems.length) {
        showSummary(errors, "请填写以下内容：", problems);
        return;
      }
      clear(errors);
      busy(form, true);
      outcome.textContent = "正在查询……";
      var answer;
      try {
        answer = await send(
          form,
          { Accept: "application/json" },
          new URLSearchParams(new FormData(form))
        );
      } catch (failure) {
        busy(form, false);
        outcome.textContent = "网络连接失败，未能查询。请检查网络后重试。";
        return;
      }
      busy(form, false);
      if (answer.ok && answer.data && answer.data.receipt_number) {
        result(form, outcome, answer.data);
        return;
      }
      clear(outcome);
      showServerError(form, errors, (answer.data && answer.data.error) || unexpected(answer, form));
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-objection-form]"), enhanceObjectionForm);
  Array.prototype.forEach.call(document.querySelectorAll("form[data-lookup-form]"), enhanceLookupForm);
})();
