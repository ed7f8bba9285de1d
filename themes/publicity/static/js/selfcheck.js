/*
 * The eligibility self-check (资格自测): progressive enhancement.
 *
 * Without this script the page lists the questions as written guidance. With it, the form is
 * shown and the answers are evaluated here, in the browser, by the questionnaire exported from
 * the CMS at build time (the JSON block #eligibility-data, the same as data/eligibility.json):
 * each option's effect (block, ground, handling_body, unsure), the exclusive options, and the
 * outcome rules tried in order. This script knows no clause, code or outcome of its own; it
 * follows the same steps as the CMS's eligibility assess(): each outcome's "shows" says which parts
 * a result carries (a 不适用 result: the blocking answers alone). Nothing is sent anywhere.
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-selfcheck]");
  var dataBlock = document.getElementById("eligibility-data");
  if (!form || !dataBlock || !window.JSON || !Array.prototype.forEach) {
    return; // the written guidance stays
  }
  var spec;
  try {
    spec = JSON.parse(dataBlock.textContent);
  } catch (error) {
    return;
  }
  var statusRegion = document.getElementById("selfcheck-status");
  var result = document.getElementById("selfcheck-result");
  var noJs = document.querySelector("[data-selfcheck-nojs]");
  var policyUrl = form.getAttribute("data-policy-url");
  var guidanceUrl = form.getAttribute("data-guidance-url");

  // --- the logic, from the spec -----------------------------------------------------------

  function chosen(question, answer) {
    if (answer === null || answer === undefined) {
      return [];
    }
    var values = typeof answer === "string" ? [answer] : answer;
    var byValue = {};
    question.options.forEach(function (option) {
      byValue[option.value] = option;
    });
    var picked = [];
    values.forEach(function (value) {
      var option = byValue[value];
      if (option && picked.indexOf(option) === -1) {
        picked.push(option);
      }
    });
    if (question.kind === "single") {
      return picked.length === 1 ? picked : [];
    }
    var plain = picked.filter(function (option) {
      return !option.exclusive;
    });
    return plain.length ? plain : picked;
  }

  function assess(answers) {
    var grounds = [];
    var blockers = [];
    var open = [];
    var handlingBody = null;
    spec.questions.forEach(function (question) {
      var options = chosen(question, answers[question.id]);
      var effects = options.map(function (option) {
        return option.effect || {};
      });
      var unsure = effects.some(function (effect) {
        return effect.unsure;
      });
      if (question.required && (!options.length || unsure)) {
        open.push({ id: question.id, text: question.text });
      }
      options.forEach(function (option, index) {
        var effect = effects[index];
        if (effect.ground && grounds.indexOf(effect.ground) === -1) {
          grounds.push(effect.ground);
        }
        if (effect.block) {
          blockers.push({
            reason: spec.reasons[effect.block],
            question: question.id,
            questionText: question.text,
            answer: option.label,
          });
        }
        if (effect.handling_body) {
          handlingBody = spec.handling_bodies[effect.handling_body];
        }
      });
    });
    var conditions = { blocked: blockers.length > 0, incomplete: open.length > 0, always: true };
    var outcome = null;
    var reached = null;
    spec.outcome_rules.some(function (rule) {
      if (conditions[rule.when]) {
        outcome = rule.outcome;
        reached = rule.when;
        return true;
      }
      return false;
    });
    var shows = spec.outcomes[outcome].shows;
    function shown(part) {
      return shows.indexOf(part) !== -1;
    }
    // Reached because some answer blocks (不适用): the result adds where to read more.
    var blocked = reached === "blocked";
    return {
      outcome: outcome,
      blocked: blocked,
      grounds: shown("grounds")
        ? grounds.map(function (code) {
            return spec.grounds[code];
          })
        : [],
      blockers: blockers,
      open: shown("open_questions") ? open : [],
      handlingBody: shown("handling_body") ? handlingBody : null,
      deadline: shown("deadline") ? spec.deadline : null,
      materials: shown("materials") ? spec.materials : [],
    };
  }

  // --- reading the form -------------------------------------------------------------------

  function answers() {
    var found = {};
    spec.questions.forEach(function (question) {
      var inputs = form.querySelectorAll('input[name="' + question.id + '"]');
      var values = [];
      inputs.forEach(function (input) {
        if (input.checked) {
          values.push(input.value);
        }
      });
      found[question.id] = question.kind === "single" ? values[0] || null : values;
    });
    return found;
  }

  // A checked "none of these" or "not sure" clears the other boxes of its question, and the
  // other way round, so what the form shows is what is evaluated.
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "checkbox" || !input.checked) {
      return;
    }
    var exclusive = input.hasAttribute("data-exclusive");
    form.querySelectorAll('input[name="' + input.name + '"]').forEach(function (sibling) {
      if (sibling !== input && (exclusive || sibling.hasAttribute("data-exclusive"))) {
        sibling.checked = false;
      }
    });
  });

  // --- showing the result -----------------------------------------------------------------

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function clauseLink(clause) {
    var text = "《实施意见》" + clause.clause_ref;
    return policyUrl ? el("a", { href: policyUrl + "#" + clause.anchor }, [text]) : text;
  }

  function quote(clause) {
    return clause.clause_text
      ? el("blockquote", { class: "clause-quote" }, [el("p", {}, [clause.clause_text])])
      : null;
  }

  function section(title, className, children) {
    return el("div", { class: "result-part " + className }, [el("h3", {}, [title])].concat(children));
  }

  function render(found) {
    var outcome = spec.outcomes[found.outcome];
    while (result.firstChild) {
      result.removeChild(result.firstChild);
    }
    result.setAttribute("data-outcome", found.outcome);
    result.appendChild(
      el("h2", { id: "selfcheck-result-h", tabindex: "-1" }, ["自测结果：" + outcome.label])
    );
    result.appendChild(el("p", { class: "outcome-text outcome-" + found.outcome }, [outcome.text]));
    result.appendChild(
      el("p", { class: "selfcheck-disclaimer", role: "note" }, [
        el("strong", {}, [spec.disclaimer]),
        " ",
        el("span", { lang: "en" }, [spec.disclaimer_en]),
      ])
    );
    if (found.blockers.length) {
      result.appendChild(
        section("不适用的情形", "result-blockers", [
          el(
            "ul",
            {},
            found.blockers.map(function (blocker) {
              var reason = blocker.reason;
              return el("li", { "data-code": reason.code, "data-question": blocker.question }, [
                el("strong", {}, [reason.label]),
                "（",
                clauseLink(reason),
                "）。您对“" + blocker.questionText + "”的回答：" + blocker.answer + "。",
                quote(reason),
              ]);
            })
          ),
        ])
      );
    }
    if (found.open.length) {
      result.appendChild(
        section("需要进一步确认的问题", "result-open", [
          el(
            "ul",
            {},
            found.open.map(function (question) {
              return el("li", { "data-question": question.id }, [
                el("a", { href: "#q-" + question.id }, [question.text]),
              ]);
            })
          ),
        ])
      );
    }
    if (found.grounds.length) {
      result.appendChild(
        section("可能符合的适用情形", "result-grounds", [
          el(
            "ul",
            {},
            found.grounds.map(function (ground) {
              return el("li", { "data-code": ground.code }, [
                el("strong", {}, [ground.code + " " + ground.label]),
                "（",
                clauseLink(ground),
                "）",
                quote(ground),
              ]);
            })
          ),
        ])
      );
    }
    if (found.handlingBody) {
      var body = found.handlingBody;
      result.appendChild(
        section("受理部门", "result-body", [
          el("p", { "data-handling-body": body.code }, [
            el("strong", {}, [body.label]),
            "（",
            clauseLink(body),
            "）",
          ]),
        ])
      );
    }
    if (found.deadline) {
      result.appendChild(
        section("申请时限", "result-deadline", [
          el("p", {}, [found.deadline.text, "（", clauseLink(found.deadline), "）"]),
        ])
      );
    }
    if (spec.outcomes[found.outcome].shows.indexOf("materials") !== -1) {
      var materials = found.materials.length
        ? el(
            "ul",
            { class: "checklist" },
            found.materials.map(function (material) {
              return el("li", { "data-material": material.name }, [
                el("span", { class: "box", "aria-hidden": "true" }, ["☐"]),
                " ",
                el("strong", {}, [material.name]),
                material.note ? "：" + material.note : null,
              ]);
            })
          )
        : el("p", {}, ["所需材料见", el("a", { href: guidanceUrl }, ["申报指南"]), "。"]);
      result.appendChild(section("材料清单", "result-materials", [materials]));
    }
    if (found.blocked) {
      result.appendChild(
        el("p", { class: "result-more" }, [
          "各项不适用情形的规定，见上列《实施意见》条款原文；申请条件和程序，见",
          el("a", { href: guidanceUrl }, ["申报指南"]),
          "。",
        ])
      );
    }
    var printButton = el("button", { type: "button", class: "button button-secondary" }, [
      found.materials.length ? "打印自测结果和材料清单" : "打印自测结果",
    ]);
    printButton.addEventListener("click", function () {
      window.print();
    });
    result.appendChild(
      el("p", { class: "actions" }, [
        printButton,
        el("a", { href: guidanceUrl }, ["阅读申报指南"]),
      ])
    );
    result.hidden = false;
    document.body.classList.add("selfcheck-done");
    statusRegion.textContent = "自测结果：" + outcome.label + "。" + spec.disclaimer;
    result.querySelector("h2").focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    render(assess(answers()));
  });
  form.addEventListener("reset", function () {
    result.hidden = true;
    document.body.classList.remove("selfcheck-done");
    statusRegion.textContent = "";
  });

  if (noJs) {
    noJs.hidden = true;
  }
  form.hidden = false;
})();
