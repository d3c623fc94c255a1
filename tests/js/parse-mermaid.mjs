// Parses mermaid diagrams with mermaid's own parser, for tests/mermaid.rs.
//
//   node tests/js/parse-mermaid.mjs < diagram.mmd
//
// Standard input holds one diagram, or several separated by a line that is exactly `%%END%%`
// (a mermaid comment, so a single diagram may contain it too). For each diagram, in order, it
// prints one JSON line on standard output:
//   {"diagram":0,"ok":true,"type":"sequence","actors":["Client","Server"],
//    "arrows":[{"from":"Client","to":"Server","line":0,"text":"ClientHello"}, ...],
//    "notes":[{"over":"Server","text":"..."}, ...],"rects":3}
// or {"diagram":1,"ok":false,"error":"Parse error on line 2: ..."}; the error goes to standard
// error too. Exit status: 0 when every diagram parsed, 1 otherwise, 2 on a usage error.
//
// What the lists hold is what mermaid itself understood (its sequence database), so a test can
// check more than "it parses": that no misspelt participant appeared, that each text came
// through whole, that every `rect` was closed.

import { JSDOM } from 'jsdom';

// mermaid and the DOMPurify inside it look for a browser: give them jsdom's window, document
// and `Option` (a sequence diagram's `box` colour is checked with `new Option().style`) before
// mermaid is imported.
const dom = new JSDOM('<!doctype html><html><body></body></html>', { pretendToBeVisual: true });
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.Option = dom.window.Option;

const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false, logLevel: 'fatal' });

const SEPARATOR = /^%%END%%[ \t]*\r?$/m;

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// mermaid hides entity codes (`#59;`) behind placeholders while it parses; undo that, then the
// entity itself, so the text reads as a viewer sees it.
function decodeText(text) {
  return String(text ?? '')
    .replace(/\uFB02\u00B0\u00B0(\d+)\u00B6\u00DF/g, (_, code) => String.fromCodePoint(Number(code)))
    .replace(/\uFB02\u00B0(\w+)\u00B6\u00DF/g, (_, name) => `&${name};`);
}

// The sequence database's view of a parsed diagram: participants, arrows, notes, rect blocks.
function summarize(db) {
  const LINE = db.LINETYPE;
  const arrows = [];
  const notes = [];
  let rects = 0;
  let openRects = 0;
  for (const m of db.getMessages()) {
    if (m.type === LINE.NOTE) {
      const over = [...new Set([].concat(m.from, m.to).filter(Boolean))].join(',');
      notes.push({ over, text: decodeText(m.message) });
    } else if (m.type === LINE.RECT_START) {
      rects += 1;
      openRects += 1;
    } else if (m.type === LINE.RECT_END) {
      openRects -= 1;
    } else if (m.from !== undefined && m.to !== undefined) {
      arrows.push({ from: m.from, to: m.to, line: m.type, text: decodeText(m.message) });
    }
  }
  return { actors: db.getActorKeys(), arrows, notes, rects, openRects };
}

const input = await readStdin();
const diagrams = input.split(SEPARATOR).filter((text, i, all) => text.trim() !== '' || all.length === 1);
if (diagrams.length === 0) {
  process.stderr.write('parse-mermaid: no diagram on standard input\n');
  process.exit(2);
}

let failed = 0;
for (const [index, text] of diagrams.entries()) {
  try {
    // The check the task asks for: mermaid's own parse, which throws on a syntax error.
    const result = await mermaid.parse(text);
    const line = { diagram: index, ok: true, type: result.diagramType };
    if (result.diagramType === 'sequence') {
      const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
      Object.assign(line, summarize(diagram.db));
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  } catch (error) {
    failed += 1;
    const message = String(error?.message ?? error);
    process.stdout.write(JSON.stringify({ diagram: index, ok: false, error: message }) + '\n');
    process.stderr.write(`parse-mermaid: diagram ${index} does not parse:\n${message}\n`);
  }
}
process.exit(failed === 0 ? 0 : 1);
