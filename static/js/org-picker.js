/* Accessible type-ahead organisation picker (templates/components/org_picker.html).
 *
 * WAI-ARIA 1.2 combobox pattern with a listbox popup: the text input has role=combobox,
 * aria-expanded, aria-controls and aria-activedescendant; ArrowDown/ArrowUp move through the
 * options, Enter chooses, Escape closes the list (and clears the text when it is closed); the
 * number of results is announced through an aria-live region. The original <select> stays in
 * the form, hidden, and carries the chosen organisation, so the server sees the same POST with
 * or without JavaScript. Without JavaScript the select (and the "new organisation" text field)
 * are used as they are.
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;

  function format(text, values) {
    return text.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function csrfToken(root) {
    var form = root.closest("form");
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function initPicker(root) {
    if (root.dataset.orgPickerReady) return;
    var template = root.querySelector("template[data-org-picker-template]");
    var fallback = root.querySelector("[data-org-picker-fallback]");
    var select = fallback && fallback.querySelector("select");
    if (!template || !select) return;
    root.dataset.orgPickerReady = "1";

    var comboId = select.id;
    // The combobox takes over the select's id, so the label and the error summary's link
    // (#id_...) lead to what the user can actually type in.
    select.id = comboId + "_valg";
    var fallbackLabel = fallback.querySelector('label[for="' + comboId + '"]');
    if (fallbackLabel) fallbackLabel.htmlFor = select.id;
    select.tabIndex = -1;
    fallback.hidden = true;
    var newField = fallback.querySelector("input[type=text]");
    if (newField) newField.disabled = true; // created through the combobox instead

    root.appendChild(template.content.cloneNode(true));
    var input = root.querySelector("input[role=combobox]");
    var list = root.querySelector("[role=listbox]");
    var live = root.querySelector("[data-org-picker-live]");
    var errorBox = root.querySelector("[data-org-picker-error]");
    var searchUrl = root.dataset.searchUrl;
    var createUrl = root.dataset.createUrl || "";

    var options = []; // {id, label, create, el}
    var active = -1;
    var timer = null;
    var lastQuery = null;
    var request = 0;

    if (select.value && select.selectedIndex >= 0) {
      input.value = select.options[select.selectedIndex].text;
    }

    function announce(text) {
      // Clear first so the same text twice is still read out.
      live.textContent = "";
      window.setTimeout(function () {
        live.textContent = text;
      }, 50);
    }

    function showError(text) {
      errorBox.textContent = text;
      errorBox.hidden = !text;
    }

    function open() {
      if (!options.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      setActive(-1);
    }

    function setActive(index) {
      options.forEach(function (option, i) {
        option.el.setAttribute("aria-selected", i === index ? "true" : "false");
        option.el.classList.toggle("portal-combobox__option--active", i === index);
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].el.id);
        options[index].el.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(results, canCreate, query) {
      list.textContent = "";
      options = [];
      results.forEach(function (r) {
        options.push({ id: String(r.id), label: r.label, alias: r.alias || "", create: false });
      });
      if (canCreate && createUrl) {
        options.push({
          id: "",
          label: format(root.dataset.textCreate, { q: query }),
          name: query,
          create: true,
        });
      }
      options.forEach(function (option, i) {
        var li = document.createElement("li");
        li.id = comboId + "_valg_" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "portal-combobox__option" + (option.create ? " portal-combobox__option--create" : "");
        li.textContent = option.label;
        if (option.alias) {
          var alias = document.createElement("span");
          alias.className = "portal-combobox__alias";
          alias.textContent = " – " + option.alias;
          li.appendChild(alias);
        }
        // mousedown, not click: the input must keep focus.
        li.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(li);
        option.el = li;
      });
      active = -1;
      if (options.length) {
        open();
        var found = results.length;
        announce(
          found === 1
            ? root.dataset.textCountOne
            : found === 0
              ? format(root.dataset.textNone, { q: query }) + " " + options[0].label
              : format(root.dataset.textCount, { n: found })
        );
      } else {
        close();
        announce(format(root.dataset.textNone, { q: query }));
      }
    }

    function search(query) {
      var mine = ++request;
      fetch(searchUrl + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.json();
        })
        .then(function (data) {
          if (mine !== request) return; // an answer to an older query
          showError("");
          render(data.results || [], !!data.can_create, query);
        })
        .catch(function () {
          if (mine !== request) return;
          close();
          showError(root.dataset.textFailed);
          announce(root.dataset.textFailed);
        });
    }

    function setSelectValue(id, label) {
      var option = Array.prototype.find.call(select.options, function (o) {
        return o.value === id;
      });
      if (!option) {
        option = new Option(label, id);
        select.add(option);
      }
      select.value = id;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function choose(index) {
      var option = options[index];
      if (!option) return;
      if (option.create) {
        createOrganisation(option.name);
        return;
      }
      setSelectValue(option.id, option.label);
      input.value = option.label;
      lastQuery = option.label;
      close();
      showError("");
      announce(format(root.dataset.textSelected, { label: option.label }));
    }

    function createOrganisation(name) {
      var body = new URLSearchParams();
      body.append("navn", name);
      fetch(createUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "X-CSRFToken": csrfToken(root),
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: body.toString(),
      })
        .then(function (response) {
          return response.json().then(function (data) {
            return { ok: response.ok, data: data };
          });
        })
        .then(function (result) {
          if (!result.ok) {
            showError(result.data.error || root.dataset.textFailed);
            announce(result.data.error || root.dataset.textFailed);
            return;
          }
          setSelectValue(String(result.data.id), result.data.label);
          input.value = result.data.label;
          lastQuery = result.data.label;
          close();
          showError("");
          announce(format(root.dataset.textCreated, { label: result.data.label }));
        })
        .catch(function () {
          showError(root.dataset.textFailed);
          announce(root.dataset.textFailed);
        });
    }

    input.addEventListener("input", function () {
      var query = input.value.trim();
      select.value = ""; // typing means the earlier choice no longer holds
      window.clearTimeout(timer);
      if (!query) {
        lastQuery = "";
        options = [];
        list.textContent = "";
        close();
        return;
      }
      timer = window.setTimeout(function () {
        if (query !== lastQuery) {
          lastQuery = query;
          search(query);
        }
      }, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = input.getAttribute("aria-expanded") === "true";
      switch (event.key) {
        case "ArrowDown":
          event.preventDefault();
          if (!options.length) return;
          if (!expanded) {
            open();
            setActive(active >= 0 ? active : 0);
          } else {
            setActive((active + 1) % options.length);
          }
          break;
        case "ArrowUp":
          event.preventDefault();
          if (!options.length) return;
          if (!expanded) open();
          setActive(active <= 0 ? options.length - 1 : active - 1);
          break;
        case "Enter":
          if (expanded && active >= 0) {
            event.preventDefault(); // choose, do not submit the form
            choose(active);
          }
          break;
        case "Escape":
          if (expanded) {
            event.preventDefault();
            close();
          } else if (input.value) {
            event.preventDefault();
            input.value = "";
            select.value = "";
            lastQuery = "";
          }
          break;
        case "Tab":
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", function () {
      close();
    });

    if (root.closest("[data-focus-picker]")) {
      input.focus();
    }
  }

  function initAll(scope) {
    (scope || document).querySelectorAll("[data-org-picker]").forEach(initPicker);
  }

  // htmx:load fires for the first page and for every piece of content htmx swaps in.
  document.addEventListener("htmx:load", function (event) {
    initAll(event.target);
    if (event.target.matches && event.target.matches("[data-org-picker]")) initPicker(event.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      initAll(document);
    });
  } else {
    initAll(document);
  }
})();
