// A small SPARQL editor for the query page: syntax highlighting (a highlighted copy of the
// text behind a transparent textarea), prefix buttons and the package's named queries as
// examples. Every piece of text goes into the page with textContent, never as HTML.
"use strict";
(function () {
  const KEYWORDS = new Set(("SELECT CONSTRUCT DESCRIBE ASK WHERE PREFIX BASE FROM NAMED GRAPH " +
    "OPTIONAL FILTER UNION MINUS BIND VALUES SERVICE DISTINCT REDUCED AS GROUP BY ORDER ASC " +
    "DESC HAVING LIMIT OFFSET NOT EXISTS IN A COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT " +
    "SEPARATOR STR LANG DATATYPE BOUND IF COALESCE REGEX CONTAINS STRSTARTS STRENDS STRAFTER " +
    "STRBEFORE SUBSTR LCASE UCASE ISIRI ISLITERAL ISBLANK YEAR TRUE FALSE").split(" "));
  // comments, strings, IRIs, variables, prefixed names, words, anything else
  const TOKEN = /(#[^\n]*)|("(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')|(<[^<>"{}|^`\\\s]*>)|([?$][A-Za-z_0-9\u00b7\u4e00-\u9fff]+)|([A-Za-z][\w-]*:[\w\u4e00-\u9fff.-]*|:[\w-]+)|([A-Za-z_]+)|([\s\S])/g;
  const CLASSES = [null, "c", "s", "i", "v", "p", "k"];

  function highlight(text, into) {
    into.replaceChildren();
    TOKEN.lastIndex = 0;
    let m, plain = "";
    const flush = () => { if (plain) { into.appendChild(document.createTextNode(plain)); plain = ""; } };
    while ((m = TOKEN.exec(text)) !== null) {
      let kind = 0;
      for (let g = 1; g <= 6; g++) if (m[g] !== undefined) { kind = g; break; }
      if (kind === 6 && !KEYWORDS.has(m[0].toUpperCase())) kind = 0;
      if (!kind) { plain += m[0]; continue; }
      flush();
      const span = document.createElement("span");
      span.className = "tok-" + CLASSES[kind];
      span.textContent = m[0];
      into.appendChild(span);
    }
    flush();
    into.appendChild(document.createTextNode("\n"));  // keeps the last line's height
  }

  function declared(text) {
    const out = new Set();
    for (const m of text.matchAll(/PREFIX\s+([A-Za-z][\w-]*)?:/gi)) out.add(m[1] || "");
    return out;
  }

  window.sparqlEditor = function (textarea, layer, prefixBar, examples, data) {
    const sync = () => { highlight(textarea.value, layer); layer.scrollTop = textarea.scrollTop;
                         layer.scrollLeft = textarea.scrollLeft; };
    textarea.addEventListener("input", sync);
    textarea.addEventListener("scroll", sync);
    for (const [name, iri] of Object.entries(data.prefixes)) {
      const b = document.createElement("button");
      b.type = "button"; b.className = "prefix"; b.textContent = name + ":";
      b.title = "PREFIX " + name + ": <" + iri + ">";
      b.addEventListener("click", () => {
        if (!declared(textarea.value).has(name)) {
          textarea.value = "PREFIX " + name + ": <" + iri + ">\n" + textarea.value;
          sync();
        }
      });
      prefixBar.appendChild(b);
    }
    for (const q of data.queries) {
      const o = document.createElement("option");
      o.value = q.name; o.textContent = q.name + (q.title ? " — " + q.title : "");
      examples.appendChild(o);
    }
    examples.addEventListener("change", () => {
      const q = data.queries.find((x) => x.name === examples.value);
      if (q) { textarea.value = q.text; sync(); }
    });
    sync();
    return {highlight: sync};
  };
})();
