/*
 * The large-text, high-contrast mode (大字号 · 高对比度), remembered across pages.
 *
 * Without this script the mode is the page opened with the fragment #a11y-large (the body is its
 * target; site.css styles html:has(> body:target)), so it holds for that page only. With it, a
 * toggle button replaces those links, sets the class a11y-large on <html> and remembers the
 * choice in this browser (localStorage); the fragment, when a page is opened with it or a link
 * on the page leads to it, turns the mode on as well.
 */
(function () {
  "use strict";

  var KEY = "portal-a11y-large";
  var FRAGMENT = "#a11y-large";
  var root = document.documentElement;
  var bar = document.querySelector("[data-a11y-bar]");
  if (!bar || !root.classList) {
    return; // the links of the no-script mode stay
  }

  function stored() {
    try {
      return window.localStorage.getItem(KEY) === "1";
    } catch (error) {
      return false; // storage refused (private mode, settings): the mode still works per page
    }
  }

  function store(on) {
    try {
      if (on) {
        window.localStorage.setItem(KEY, "1");
      } else {
        window.localStorage.removeItem(KEY);
      }
    } catch (error) {
      // nothing to do: the choice just is not remembered
    }
  }

  var button = document.createElement("button");
  button.type = "button";
  button.className = "a11y-toggle";
  button.textContent = "大字号 · 高对比度";

  function apply(on) {
    root.classList.toggle("a11y-large", on);
    button.setAttribute("aria-pressed", on ? "true" : "false");
  }

  var fromFragment = window.location.hash === FRAGMENT;
  if (fromFragment) {
    store(true);
  }
  apply(fromFragment || stored());

  button.addEventListener("click", function () {
    var on = !root.classList.contains("a11y-large");
    apply(on);
    store(on);
    if (!on && window.location.hash === FRAGMENT && window.history && history.replaceState) {
      history.replaceState(null, "", window.location.pathname + window.location.search);
    }
  });
  // A link to #a11y-large on the page itself (as on /a11y/) turns the mode on here too.
  window.addEventListener("hashchange", function () {
    if (window.location.hash === FRAGMENT) {
      apply(true);
      store(true);
    }
  });
  bar.insertBefore(button, bar.firstChild);
  root.classList.add("js-a11y"); // from now on the button, not the fragment, decides
})();
