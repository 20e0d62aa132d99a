/**
 * The viewer's page: layout and styles; the drawing is /viewer.js
 * (script.ts). Self-contained: no fonts, images or scripts from elsewhere.
 */
export const VIEWER_HTML = String.raw`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Chord ring</title>
<link rel="icon" href="data:,">
<style>
  * { box-sizing: border-box }
  body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1a202c; background: #f7f7f5 }
  header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px; padding: 10px 18px; background: #fff; border-bottom: 1px solid #e2e2de }
  h1 { font-size: 18px; margin: 0 }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: #718096; margin: 18px 0 6px }
  #status { margin-left: auto; color: #718096; font-size: 12px }
  .error { color: #c53030 }
  main { display: grid; grid-template-columns: minmax(360px, 1fr) 380px; min-height: calc(100vh - 46px) }
  #ring { width: 100%; height: calc(100vh - 46px); min-height: 480px; display: block }
  aside { padding: 6px 18px 18px; background: #fff; border-left: 1px solid #e2e2de; overflow-y: auto; max-height: calc(100vh - 46px) }
  form { display: flex; gap: 6px; margin-top: 12px }
  input { flex: 1; padding: 6px 8px; border: 1px solid #cbd5e0; border-radius: 4px; font: inherit }
  button { padding: 6px 10px; border: 1px solid #cbd5e0; border-radius: 4px; background: #edf2f7; font: inherit; cursor: pointer }
  #lookup-result p { margin: 8px 0 4px }
  #lookup-result ul { margin: 0; padding-left: 18px; font-size: 12px }
  .hint { color: #718096 }
  dl { display: grid; grid-template-columns: 90px 1fr; gap: 2px 8px; margin: 0; font-size: 12px }
  dt { color: #718096 }
  dd { margin: 0; word-break: break-all }
  table { width: 100%; border-collapse: collapse; font-size: 12px }
  th { text-align: left; color: #718096; font-weight: normal; border-bottom: 1px solid #e2e2de }
  td { padding: 3px 4px; border-bottom: 1px solid #f0f0ee; cursor: pointer }
  td.num { text-align: right; font-variant-numeric: tabular-nums }
  tr.selected td { background: #fefcbf }
  .swatch { display: inline-block; width: 11px; height: 11px; border-radius: 50%; border: 1.5px solid }
  ol#events { margin: 0; padding-left: 0; list-style: none; font-size: 12px; color: #4a5568 }
  .rim { fill: none; stroke: #d5d5d0; stroke-width: 2 }
  .tick { stroke: #a0aec0; stroke-width: 2 }
  .tick-label { fill: #a0aec0; font-size: 14px; text-anchor: middle }
  .succ { fill: none; stroke: #4a5568; stroke-width: 1.6 }
  .pred { fill: none; stroke: #a0aec0; stroke-width: 1.2; stroke-dasharray: 4 3 }
  .finger { fill: none; stroke: #dd6b20; stroke-width: 1.4; opacity: .75 }
  .key { fill: #d53f8c }
  .key-label { fill: #b83280; font-size: 13px; font-weight: 600; dominant-baseline: middle }
  .key-link { stroke: #d53f8c; stroke-width: 1.5; stroke-dasharray: 3 3 }
  .node { cursor: pointer }
  .node .dot { stroke-width: 2 }
  .node.unreachable .dot { stroke-dasharray: 2 2 }
  .node.joining .dot { opacity: .5 }
  .node.self .dot { stroke-width: 3.5 }
  .node.selected .dot { stroke: #1a202c; stroke-width: 4 }
  .node .halo { fill: none; stroke: #d53f8c; stroke-width: 3 }
  .node.owner .halo { stroke-width: 5 }
  .node.fresh .dot { animation: pulse 1s ease-out infinite }
  .ghost { fill: none; stroke: #a0aec0; stroke-width: 2; stroke-dasharray: 3 3 }
  .label { font-size: 13px; fill: #2d3748; dominant-baseline: middle }
  .label .sub { font-size: 11px; fill: #718096 }
  .legend { font-size: 12px; color: #4a5568 }
  .legend span { display: inline-block; margin-right: 12px }
  .leader { stroke: #cbd5e0; stroke-width: 1 }
  @keyframes pulse { 0% { stroke-width: 10 } 100% { stroke-width: 2 } }
  @media (max-width: 900px) { main { grid-template-columns: 1fr } aside { border-left: none; max-height: none } #ring { height: auto } }
</style>
</head>
<body>
<header>
  <h1>Chord ring</h1>
  <span><b id="peer-count">–</b> peers · <span id="position-count">–</span> positions · <span id="key-count">–</span> keys (<span id="byte-count">–</span>, every replica counted)<span id="unreachable" class="error"></span></span>
  <span id="status">loading…</span>
</header>
<main>
  <svg id="ring" viewBox="-520 -520 1040 1040" role="img" aria-label="the ring: peers by ring position"></svg>
  <aside>
    <form id="lookup-form">
      <input id="lookup-key" placeholder="key to look up" autocomplete="off" aria-label="key to look up">
      <button type="submit">Look up</button>
      <button type="button" id="lookup-clear">Clear</button>
    </form>
    <div id="lookup-result"></div>
    <h2>Selected position</h2>
    <div id="selected"></div>
    <h2>Peers</h2>
    <table id="peers"><thead><tr><th></th><th>peer</th><th class="num">keys</th><th class="num">bytes</th><th></th></tr></thead><tbody></tbody></table>
    <h2>Legend</h2>
    <p class="legend"><span>── successor</span><span>┄┄ predecessor (inside)</span><span style="color:#dd6b20">── fingers of the selected</span><span style="color:#d53f8c">◆ looked-up key, ◯ its replicas</span><span>dot size: keys held</span></p>
    <h2>Changes</h2>
    <ol id="events"></ol>
  </aside>
</main>
<script src="/viewer.js"></script>
</body>
</html>
`
