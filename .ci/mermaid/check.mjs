import { JSDOM } from 'jsdom';
import fs from 'node:fs';
const dom = new JSDOM('<!DOCTYPE html><body></body>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
Object.defineProperty(globalThis, 'navigator', { value: dom.window.navigator, configurable: true });
const mermaid = (await import('mermaid')).default;
mermaid.initialize({ startOnLoad: false });
const text = fs.readFileSync(process.argv[2], 'utf8');
try {
  const result = await mermaid.parse(text);
  console.log('parsed:', JSON.stringify(result));
} catch (error) {
  console.log('PARSE ERROR:', error.message ?? error);
  process.exit(1);
}
const bad = 'flowchart TD\n  a --> \n  [[[';
try { await mermaid.parse(bad); console.log('bad input parsed?!'); process.exit(2); } catch (e) { console.log('bad input rejected as expected'); }
