/// The UI's stylesheet and script, carried in the binary (no Node toolchain, no CDN): a light and a
/// dark scheme from the reader's preference, and a little plain JavaScript that sends the pages'
/// action forms to the API, loads logs and raw JSON on demand, and keeps a running execution current.
enum Assets {
    static let stylesheet = #"""
    :root { --bg: #fbfbfc; --fg: #1d2127; --muted: #69707d; --line: #d9dde3; --panel: #ffffff; --accent: #2458d6;
      --ok: #1f8a4c; --bad: #c4322b; --run: #2a6fdb; --wait: #c98a00; --pause: #7b4fc9; --off: #8a9099; --warn: #d46a00;
      --ok-bg: #e3f4ea; --bad-bg: #fbe6e4; --run-bg: #e3edfc; --wait-bg: #fbf1d9; --pause-bg: #efe8fb; --off-bg: #eceef1; --warn-bg: #fcebd9;
      color-scheme: light dark; }
    @media (prefers-color-scheme: dark) {
      :root { --bg: #14171c; --fg: #e3e6ea; --muted: #98a0ab; --line: #2e343d; --panel: #1b1f26; --accent: #7aa5ff;
        --ok: #55c987; --bad: #ff7b72; --run: #6ea8ff; --wait: #e6b73e; --pause: #b394f2; --off: #8c939d; --warn: #ff9f4a;
        --ok-bg: #173626; --bad-bg: #3d1d1b; --run-bg: #1a2b47; --wait-bg: #3a2f12; --pause-bg: #2c2243; --off-bg: #262a31; --warn-bg: #3d2812; } }
    * { box-sizing: border-box; }
    body { margin: 0; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
    a { color: var(--accent); text-decoration: none; } a:hover { text-decoration: underline; }
    header.top { display: flex; gap: 24px; align-items: center; padding: 10px 20px; border-bottom: 1px solid var(--line); background: var(--panel); }
    header.top .brand { font-weight: 700; font-size: 17px; color: var(--fg); }
    header.top nav { display: flex; gap: 16px; } header.top nav a[aria-current] { font-weight: 600; color: var(--fg); border-bottom: 2px solid var(--accent); }
    main { padding: 16px 20px 48px; max-width: 1500px; }
    h1 { font-size: 21px; margin: 4px 0 12px; } h2 { font-size: 16px; margin: 22px 0 8px; } h3, h4 { font-size: 14px; margin: 10px 0 4px; }
    .muted, .none { color: var(--muted); } .mono, time { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; font-size: 12.5px; }
    .error { color: var(--bad); } .empty { color: var(--muted); padding: 20px 0; }
    table.list { border-collapse: collapse; width: 100%; background: var(--panel); border: 1px solid var(--line); }
    table.list th, table.list td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
    table.list th { font-weight: 600; font-size: 12.5px; color: var(--muted); background: var(--bg); }
    table.list tbody tr:hover { background: var(--bg); } td.num { text-align: right; font-variant-numeric: tabular-nums; }
    tr.task-detail td { padding: 0 8px 6px; border-bottom: 1px solid var(--line); } tr.task-row td { border-bottom: none; }
    .st { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 11.5px; font-weight: 600; letter-spacing: .02em; }
    .st-completed { color: var(--ok); background: var(--ok-bg); }
    .st-failed, .st-failed_with_terminal_error, .st-timed_out, .st-terminated { color: var(--bad); background: var(--bad-bg); }
    .st-running, .st-in_progress { color: var(--run); background: var(--run-bg); }
    .st-scheduled { color: var(--wait); background: var(--wait-bg); } .st-paused { color: var(--pause); background: var(--pause-bg); }
    .st-canceled, .st-skipped { color: var(--off); background: var(--off-bg); } .st-completed_with_errors { color: var(--warn); background: var(--warn-bg); }
    form.filters { display: flex; flex-wrap: wrap; gap: 10px 14px; align-items: end; padding: 12px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; }
    form.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); gap: 2px; }
    input, select, textarea, button { font: inherit; color: inherit; background: var(--panel); border: 1px solid var(--line); border-radius: 5px; padding: 4px 8px; }
    textarea { width: 100%; font-family: ui-monospace, Menlo, monospace; font-size: 12.5px; }
    button, a.button { cursor: pointer; background: var(--accent); color: #fff; border-color: transparent; padding: 5px 12px; border-radius: 5px; display: inline-block; }
    button.danger { background: var(--bad); } a.button:hover { text-decoration: none; opacity: .9; }
    .bulk, section.actions { display: flex; flex-wrap: wrap; gap: 8px 12px; align-items: center; margin: 10px 0; }
    .bulk form, section.actions form { display: flex; gap: 6px; align-items: center; margin: 0; }
    form.complete, form.start, form.editor { display: flex; flex-direction: column; gap: 6px; max-width: 900px; padding: 10px; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
    output.result { display: block; } output.result.error { color: var(--bad); white-space: pre-wrap; } output.result.ok { color: var(--ok); }
    #flash { padding: 8px 12px; margin-bottom: 12px; border-radius: 6px; background: var(--ok-bg); color: var(--ok); }
    dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 6px 18px; margin: 8px 0 4px; }
    dl.facts dt { font-size: 12px; color: var(--muted); } dl.facts dd { margin: 0; word-break: break-all; }
    .scroll { overflow: auto; background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
    .diagram-box { max-height: 960px; } .timeline-box { max-height: 480px; }
    pre.json, pre.logs, pre.metrics { margin: 4px 0; padding: 8px; background: var(--bg); border: 1px solid var(--line); border-radius: 5px; overflow: auto; max-height: 420px; font-size: 12px; white-space: pre-wrap; word-break: break-word; }
    .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; } details { margin: 4px 0; } summary { cursor: pointer; color: var(--accent); }
    details.item { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 6px 10px; }
    .pager { margin: 12px 0; display: flex; gap: 16px; } p.count { margin: 10px 0 4px; }
    svg text { font: 12px system-ui, sans-serif; fill: var(--fg); }
    svg .node rect { fill: var(--panel); stroke: var(--line); stroke-width: 1.5; } svg .node text.ref { font-weight: 600; text-anchor: middle; }
    svg .node text.kind { font-size: 10.5px; fill: var(--muted); text-anchor: middle; }
    svg .node.not-reached rect { stroke-dasharray: 4 3; } svg .node.not-reached text { fill: var(--muted); }
    svg .st-completed rect, svg rect.bar.st-completed { fill: var(--ok-bg); stroke: var(--ok); }
    svg .st-failed rect, svg .st-failed_with_terminal_error rect, svg .st-timed_out rect, svg rect.bar.st-failed, svg rect.bar.st-timed_out, svg rect.bar.st-failed_with_terminal_error { fill: var(--bad-bg); stroke: var(--bad); }
    svg .st-in_progress rect, svg rect.bar.st-in_progress { fill: var(--run-bg); stroke: var(--run); } svg .st-scheduled rect, svg rect.bar.st-scheduled { fill: var(--wait-bg); stroke: var(--wait); }
    svg .st-canceled rect, svg .st-skipped rect, svg rect.bar.st-canceled, svg rect.bar.st-skipped { fill: var(--off-bg); stroke: var(--off); }
    svg .st-completed_with_errors rect, svg rect.bar.st-completed_with_errors { fill: var(--warn-bg); stroke: var(--warn); }
    svg rect.bar { stroke-width: 1; } svg rect.bar.queued { fill: var(--line); stroke: none; }
    svg .edge { stroke: var(--muted); stroke-width: 1.3; fill: none; } svg .edge.taken { stroke: var(--ok); stroke-width: 2.4; } svg .edge.untaken { stroke-dasharray: 3 3; opacity: .55; }
    svg .arrowhead { fill: var(--muted); } svg .loop-frame { fill: none; stroke: var(--pause); stroke-dasharray: 6 4; stroke-width: 1.3; }
    svg .case-label { font-size: 11px; text-anchor: start; fill: var(--muted); } svg .case-label.taken { fill: var(--ok); font-weight: 700; }
    svg .terminal { fill: var(--off-bg); stroke: var(--off); } svg .terminal-label { text-anchor: middle; font-size: 11px; fill: var(--muted); }
    svg .tick { stroke: var(--line); } svg .axis { font-size: 10.5px; fill: var(--muted); text-anchor: middle; } svg .axis-start { text-anchor: start; } svg .axis-end { text-anchor: end; } svg .row-label { font-size: 11px; }
    svg a.child-link .node rect { stroke-width: 2.5; }
    """#

    static let script = #"""
    'use strict';
    (() => {
      const local = el => { const ms = Number(el.dataset.ms); if (ms) el.title = new Date(ms).toLocaleString(); };
      const decorate = root => {
        root.querySelectorAll('time[data-ms]').forEach(local);
      };

      // The result line of a form: its own, else its section's.
      const resultFor = f => f.querySelector('output.result') || (f.closest('section') || document).querySelector('output.result');
      const show = (out, text, isError) => { if (!out) return; out.textContent = text; out.className = 'result ' + (isError ? 'error' : 'ok'); out.dataset.state = isError ? 'error' : 'ok'; };
      const showError = (out, status, text) => {
        let message = text, details = [];
        try { const e = JSON.parse(text); message = e.message || text; details = (e.validationErrors || []).map(v => (v.path ? v.path + ': ' : '') + v.message); } catch (_) {}
        show(out, 'Error ' + status + ': ' + message, true);
        if (out && details.length) { const ul = document.createElement('ul'); details.forEach(d => { const li = document.createElement('li'); li.textContent = d; ul.appendChild(li); }); out.appendChild(ul); }
      };

      // An action form is the API call it names: path placeholders, query parameters, a JSON body.
      const submitApi = async f => {
        const out = resultFor(f);
        if (f.dataset.confirm && !window.confirm(f.dataset.confirm)) return;
        let path = f.dataset.api, body = null, fields = null;
        const params = new URLSearchParams();
        for (const el of f.elements) {
          if (!el.name || el.disabled) continue;
          const role = el.dataset.role;
          if (role === 'body') body = el.value;
          else if (role === 'path') path = path.replace('{' + el.name + '}', encodeURIComponent(el.value));
          else if (role === 'field') (fields = fields || {})[el.name] = el.value;
          else if (el.type === 'checkbox') params.set(el.name, el.checked ? 'true' : 'false');
          else if (el.value !== '') params.set(el.name, el.value);
        }
        if (fields) body = JSON.stringify(fields);
        if (f.dataset.ids) {
          const ids = [...document.querySelectorAll('input[name="' + f.dataset.ids + '"]:checked')].map(c => c.value);
          if (!ids.length) { show(out, 'Select at least one execution first.', true); return; }
          body = JSON.stringify(ids);
        }
        const sent = body;  // what the person wrote, before any wrapping
        if (body !== null && f.dataset.wrap === 'array') body = '[' + body + ']';
        const query = params.toString();
        let res, text;
        try {
          res = await fetch(path + (query ? '?' + query : ''), { method: f.dataset.method || 'POST', headers: body !== null ? { 'Content-Type': 'application/json' } : {}, body });
          text = await res.text();
        } catch (e) { show(out, 'Request failed: ' + e.message, true); return; }
        if (!res.ok) { showError(out, res.status, text); return; }
        let flash = 'Done: ' + (f.querySelector('button') || {}).textContent;
        if (f.dataset.ids) {
          try {
            const r = JSON.parse(text), failed = Object.entries(r.bulkErrorResults || {});
            flash = (r.bulkSuccessfulResults || []).length + ' succeeded' + (failed.length ? ', ' + failed.length + ' failed: ' + failed.map(([id, m]) => id + ': ' + m).join('; ') : '');
          } catch (_) {}
        }
        sessionStorage.setItem('baton.flash', flash);
        const then = f.dataset.then || 'reload';
        if (then.startsWith('goto:')) {
          let name = '';
          try { name = JSON.parse(sent).name || ''; } catch (_) {}
          location.href = then.slice(5).replace('{response}', encodeURIComponent(text.trim())).replace('{body.name}', encodeURIComponent(name));
        } else location.reload();
      };
      document.addEventListener('submit', e => { const f = e.target; if (f.dataset.api) { e.preventDefault(); submitApi(f); } });

      document.addEventListener('change', e => {
        const all = e.target.dataset && e.target.dataset.selectAll;
        if (all) document.querySelectorAll('input[name="' + all + '"]').forEach(c => { c.checked = e.target.checked; });
      });

      // Logs and raw JSON are read when opened, not with every page.
      document.addEventListener('toggle', async e => {
        const d = e.target;
        if (!d.open || d.dataset.loaded) return;
        if (d.dataset.logs) {
          d.dataset.loaded = '1';
          const pre = d.querySelector('pre.logs');
          try { const logs = await (await fetch(d.dataset.logs)).json();
            pre.textContent = logs.length ? logs.map(l => new Date(l.createdTime).toISOString() + '  ' + l.log).join('\n') : 'no logs';
          } catch (_) { pre.textContent = 'no logs'; }
        } else if (d.dataset.fetchJson) {
          d.dataset.loaded = '1';
          const pre = d.querySelector('pre');
          try { pre.textContent = JSON.stringify(await (await fetch(d.dataset.fetchJson)).json(), null, 2); } catch (err) { pre.textContent = String(err); }
        }
      }, true);

      // A running execution's page re-reads itself and swaps in what changed, keeping open panels open.
      const live = document.getElementById('live');
      let lastHTML = live ? live.innerHTML : '';
      const running = s => s === 'RUNNING' || s === 'PAUSED';
      const refresh = async () => {
        const current = document.getElementById('live');
        if (!current || !running(current.dataset.status)) return;
        try {
          const html = await (await fetch(location.pathname, { cache: 'no-store' })).text();
          const next = new DOMParser().parseFromString(html, 'text/html').getElementById('live');
          if (next && next.innerHTML !== lastHTML) {
            lastHTML = next.innerHTML;
            const open = [...current.querySelectorAll('details[open][id]')].map(d => d.id);
            current.replaceWith(next);
            open.forEach(id => { const d = document.getElementById(id); if (d) d.open = true; });
            decorate(next);
          }
        } catch (_) {}
        setTimeout(refresh, 1500);
      };
      if (live && running(live.dataset.status)) setTimeout(refresh, 1500);

      const flash = sessionStorage.getItem('baton.flash');
      if (flash) {
        sessionStorage.removeItem('baton.flash');
        const p = document.createElement('p'); p.id = 'flash'; p.setAttribute('role', 'status'); p.textContent = flash;
        const main = document.getElementById('main'); if (main) main.prepend(p);
      }
      decorate(document);
    })();
    """#
}
