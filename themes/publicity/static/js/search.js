/*
 * The search page: Pagefind's JavaScript API over the index the build wrote into this site
 * (pagefind/, same origin; nothing is sent anywhere else). The index is in shards, listed in
 * pagefind/bundles.json: pagefind.js comes from the first, the others are merged into it.
 *
 * Without this script the page says that search needs JavaScript and links to the listings.
 * With it, the search box appears; results follow the typing (after a pause) or Enter, and the
 * number found is announced through the page's status region. Focus stays where the reader put
 * it, except after "显示更多结果", which moves it to the first of the added results. The query is
 * kept in the address (?q=), so a search can be bookmarked, shared or reloaded.
 */
(function () {
  "use strict";

  var box = document.querySelector("[data-search]");
  if (!box || !window.Promise || !window.URL || !window.DOMParser || !window.fetch) {
    return; // the no-JavaScript text stays
  }
  var input = document.getElementById("search-input");
  var button = box.querySelector("[data-search-button]");
  var statusRegion = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var more = document.querySelector("[data-search-more]");
  var noJs = document.querySelector("[data-search-nojs]");
  var pageSize = parseInt(box.getAttribute("data-page-size"), 10) || 10;
  var indexUrl = new URL(box.getAttribute("data-pagefind"), document.baseURI);
  var siteRoot = indexUrl.pathname.replace(/pagefind\/$/, "");
  var loading = null;
  var generation = 0;
  var pending = [];
  var timer = null;
  var lastQuery = null;

  function say(text) {
    statusRegion.textContent = text;
  }

  function load() {
    if (!loading) {
      loading = fetch(new URL("bundles.json", indexUrl).href)
        .then(function (response) {
          if (!response.ok) {
            throw new Error("no search index");
          }
          return response.json();
        })
        .then(function (listed) {
          var shards = listed.bundles.map(function (bundle) {
            return new URL(bundle, indexUrl).href;
          });
          return import(shards[0] + "pagefind.js").then(function (pagefind) {
            return Promise.resolve(pagefind.options({ baseUrl: siteRoot, excerptLength: 40 }))
              .then(function () {
                return Promise.all(
                  shards.slice(1).map(function (shard) {
                    return pagefind.mergeIndex(shard, { baseUrl: siteRoot, excerptLength: 40 });
                  })
                );
              })
              .then(function () {
                return pagefind;
              });
          });
        });
      loading.catch(function () {
        loading = null; // try again on the next search
      });
    }
    return loading;
  }

  // Pagefind's excerpt is HTML with <mark> around the words found. Only its text and the marks
  // are kept: it is parsed in an inert document and rebuilt node by node, never inserted as HTML.
  function excerptNodes(html) {
    var parsed = new DOMParser().parseFromString("<p>" + (html || "") + "</p>", "text/html");
    var nodes = [];
    parsed.body.firstChild.childNodes.forEach(function (node) {
      if (node.nodeType === 3) {
        nodes.push(document.createTextNode(node.nodeValue));
      } else if (node.nodeType === 1) {
        var text = document.createTextNode(node.textContent);
        if (node.nodeName === "MARK") {
          var mark = document.createElement("mark");
          mark.appendChild(text);
          nodes.push(mark);
        } else {
          nodes.push(text);
        }
      }
    });
    return nodes;
  }

  // The excerpt from the part of the page where most of the words were found. Pagefind splits a
  // page into parts at its headings (sub_results), and a part's excerpt stays inside it: on a
  // notice's page each decision item is a part, so an item's excerpt never runs on into the next
  // item and its decision. A page without such headings is one part, its excerpt the page's.
  function excerptOf(data) {
    var best = null;
    (data.sub_results || []).forEach(function (part) {
      var found = (part.locations || []).length;
      if (part.excerpt && (!best || found > (best.locations || []).length)) {
        best = part;
      }
    });
    return best ? best.excerpt : data.excerpt;
  }

  function resultItem(data) {
    var item = document.createElement("li");
    item.className = "search-result";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    heading.appendChild(link);
    item.appendChild(heading);
    var facts = [data.meta && data.meta.kind, data.meta && data.meta.number].filter(Boolean);
    var state = data.meta && data.meta.state; // a notice's state, as its page says it
    if (facts.length || state) {
      var meta = document.createElement("p");
      meta.className = "search-result-meta";
      meta.textContent = facts.join(" · ");
      if (state) {
        if (facts.length) {
          meta.appendChild(document.createTextNode(" · "));
        }
        var badge = document.createElement("span");
        badge.className = "badge search-result-state";
        badge.textContent = state;
        meta.appendChild(badge);
      }
      item.appendChild(meta);
    }
    var excerpt = document.createElement("p");
    excerpt.className = "search-result-excerpt";
    excerptNodes(excerptOf(data)).forEach(function (node) {
      excerpt.appendChild(node);
    });
    item.appendChild(excerpt);
    return item;
  }

  function showMore(focusFirst) {
    var batch = pending.splice(0, pageSize);
    var mine = generation;
    return Promise.all(
      batch.map(function (result) {
        return result.data();
      })
    ).then(function (pages) {
      if (mine !== generation) {
        return;
      }
      var first = null;
      pages.forEach(function (data) {
        var item = resultItem(data);
        first = first || item;
        list.appendChild(item);
      });
      list.hidden = list.children.length === 0;
      more.hidden = pending.length === 0;
      if (focusFirst && first) {
        first.querySelector("a").focus();
      }
    });
  }

  function clearResults() {
    generation += 1;
    pending = [];
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    list.hidden = true;
    more.hidden = true;
  }

  function remember(query) {
    if (!window.history || !history.replaceState) {
      return;
    }
    var url = new URL(location.href);
    if (query) {
      url.searchParams.set("q", query);
    } else {
      url.searchParams.delete("q");
    }
    history.replaceState(null, "", url.pathname + url.search + url.hash);
  }

  function search(force) {
    var query = input.value.trim();
    if (query === lastQuery && !force) {
      return;
    }
    lastQuery = query;
    clearResults();
    remember(query);
    if (!query) {
      say("");
      return;
    }
    var mine = generation;
    say("正在搜索…");
    load()
      .then(function (pagefind) {
        return pagefind.search(query);
      })
      .then(function (found) {
        if (mine !== generation) {
          return;
        }
        pending = found.results.slice();
        if (!pending.length) {
          say("没有找到与“" + query + "”相关的内容。请换一个词语，或浏览公示公告和政策文件。");
          return;
        }
        return showMore(false).then(function () {
          if (mine === generation) {
            say("找到" + found.results.length + "条与“" + query + "”相关的结果。");
          }
        });
      })
      .catch(function () {
        if (mine === generation) {
          say("搜索暂不可用：未能加载本站的搜索索引。请稍后再试，或浏览公示公告和政策文件。");
        }
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 400);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      window.clearTimeout(timer);
      search(true);
    }
  });
  button.addEventListener("click", function () {
    window.clearTimeout(timer);
    search(true);
  });
  more.addEventListener("click", function () {
    showMore(true);
  });

  if (noJs) {
    noJs.hidden = true;
  }
  box.hidden = false;
  var initial = new URL(location.href).searchParams.get("q");
  if (initial) {
    input.value = initial;
    search(true);
  }
})();
