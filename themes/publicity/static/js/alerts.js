/*
 * The e-mail alert form (订阅提醒): progressive enhancement. Without this script the form is a
 * plain post to the CMS, which answers with a page. With it, the form is checked before it is
 * sent, sent with fetch (JSON), and the answer is shown on this page; the server decides
 * everything again. The answer never says whether the address was subscribed already: the
 * server gives the same one every time.
 */
(function () {
  "use strict";

  if (!window.fetch || !window.FormData || !document.querySelector) {
    return; // an old browser keeps the plain form post
  }

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

  function wrapperFor(form, name) {
    return form.querySelector('[data-field="' + name + '"]');
  }

  function focusTarget(wrapper) {
    return wrapper.querySelector("input:checked") || wrapper.querySelector("input");
  }

  function showFieldMessage(wrapper, message) {
    var slot = wrapper.querySelector(".field-error");
    var controls = Array.prototype.slice.call(wrapper.querySelectorAll("input"));
    slot.textContent = message;
    slot.hidden = !message;
    controls.forEach(function (control) {
      var ids = (control.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id !== slot.id;
      });
      if (message) {
        ids.unshift(slot.id);
        control.setAttribute("aria-invalid", "true");
      } else {
        control.removeAttribute("aria-invalid");
      }
      if (ids.length) {
        control.setAttribute("aria-describedby", ids.join(" "));
      } else {
        control.removeAttribute("aria-describedby");
      }
    });
  }

  /** What is wrong with the form as filled in: [{name, message}]. */
  function problems(form) {
    var found = [];
    var email = form.elements.email;
    if (!email.value.trim()) {
      found.push({ name: "email", message: "请填写电子邮箱。" });
    } else if (email.validity && email.validity.typeMismatch) {
      found.push({ name: "email", message: "电子邮箱格式不正确。" });
    }
    if (!form.querySelector('input[name="topics"]:checked')) {
      found.push({ name: "topics", message: "请至少选择一项订阅内容。" });
    }
    if (!form.querySelector('input[name="frequency"]:checked')) {
      found.push({ name: "frequency", message: "请选择发送频率。" });
    }
    if (!form.elements.consent.checked) {
      found.push({ name: "consent", message: "须阅读并同意隐私声明后方可订阅。" });
    }
    return found;
  }

  function showProblems(form, region, found) {
    ["email", "topics", "frequency", "consent"].forEach(function (name) {
      showFieldMessage(wrapperFor(form, name), "");
    });
    clear(region);
    if (!found.length) {
      return;
    }
    var list = el("ul");
    found.forEach(function (problem) {
      var wrapper = problem.name ? wrapperFor(form, problem.name) : null;
      if (!wrapper) {
        list.appendChild(el("li", {}, [problem.message]));
        return;
      }
      showFieldMessage(wrapper, problem.message);
      var link = el("a", { href: "#" + focusTarget(wrapper).id }, [problem.message]);
      link.addEventListener("click", function (event) {
        event.preventDefault();
        focusTarget(wrapper).focus();
      });
      list.appendChild(el("li", {}, [link]));
    });
    region.appendChild(el("h3", {}, ["未能订阅，请修改后重新提交："]));
    region.appendChild(list);
    region.focus();
  }

  function busy(form, on) {
    form.setAttribute("aria-busy", on ? "true" : "false");
    form.querySelector("button[type=submit]").disabled = on;
  }

  function enhance(form) {
    var errors = document.getElementById(form.dataset.errors);
    var outcome = document.getElementById(form.dataset.outcome);
    form.noValidate = true; // this script shows the messages, next to the fields

    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      clear(outcome);
      var found = problems(form);
      showProblems(form, errors, found);
      if (found.length) {
        return;
      }
      var data = new FormData(form);
      var body = {
        email: data.get("email").trim(),
        topics: data.getAll("topics"),
        frequency: data.get("frequency"),
        consent: true,
        website: data.get("website") || "",
      };
      busy(form, true);
      try {
        var response = await fetch(form.action, {
          method: "POST",
          body: JSON.stringify(body),
          headers: { "Content-Type": "application/json", Accept: "application/json" },
          credentials: "omit",
          mode: "cors",
        });
        var answer = null;
        try {
          answer = await response.json();
        } catch (ignored) {
          answer = null;
        }
        if (response.ok && answer) {
          var heading = el("h3", { tabindex: "-1" }, ["请查收确认邮件"]);
          outcome.appendChild(heading);
          outcome.appendChild(el("p", {}, [answer.message]));
          form.reset();
          heading.focus();
        } else if (answer && answer.error) {
          var error = answer.error;
          var details = error.details && error.details.length ? error.details : [error];
          showProblems(form, errors, details.map(function (detail) {
            return { name: detail.field, message: detail.message };
          }));
        } else {
          showProblems(form, errors, [{ message: "服务器暂时无法处理（HTTP " + response.status + "），请稍后重试。" }]);
        }
      } catch (failure) {
        showProblems(form, errors, [{ message: "网络连接失败，尚未订阅。请检查网络后重试。" }]);
      } finally {
        busy(form, false);
      }
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-alert-form]"), enhance);
})();
