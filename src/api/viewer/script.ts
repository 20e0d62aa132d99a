/**
 * The viewer's browser script, served as /viewer.js. It is kept here as a
 * string so the daemon serves it from the sources (tsx) and from dist/
 * alike, with no build step and nothing fetched from elsewhere. Plain ES2017
 * for any browser; no backquotes or dollar-braces inside (String.raw below).
 * test/network/viewer.spec.ts checks that it parses and runs in Chromium.
 */
export const VIEWER_SCRIPT = String.raw`// The ring viewer: polls GET /ring?peers=true (this daemon's walk of the
// ring) every second and draws it; GET /keys/KEY/lookup for the lookup box.
// Plain DOM and SVG, no dependencies: the daemon serves it as it is.
'use strict'
;(function () {
  var SVG = 'http://www.w3.org/2000/svg'
  var R = 360
  var POLL_MS = 1000
  /** how long a peer that joined is marked, and one that left stays as a ghost, ms */
  var FRESH_MS = 4000
  var GHOST_MS = 5000
  var LOOKUP_EVERY_MS = 3000
  var TWO_52 = 4503599627370496

  var svg = document.getElementById('ring')
  var state = {
    data: null,
    selected: null,
    lookup: null,
    lookupKey: null,
    lookedUp: 0,
    /** peer -> ids of its positions, as last seen answering */
    seen: null,
    fresh: new Map(),
    ghosts: new Map(),
    renders: 0
  }

  function $ (id) { return document.getElementById(id) }
  function el (name, attrs, parent) {
    var e = document.createElementNS(SVG, name)
    for (var k in attrs) if (attrs[k] !== undefined && attrs[k] !== null) e.setAttribute(k, String(attrs[k]))
    if (parent) parent.appendChild(e)
    return e
  }
  function tag (name, text, cls) {
    var e = document.createElement(name)
    if (text !== undefined && text !== null) e.textContent = text
    if (cls) e.className = cls
    return e
  }
  function clear (node) { while (node.firstChild) node.removeChild(node.firstChild) }
  function short (peer) { return '…' + peer.slice(-6) }
  function posKey (peer, vnode) { return peer + '/' + vnode }
  function label (peer, vnode) { return short(peer) + (vnode > 0 ? '/' + vnode : '') }
  /** a ring position as a fraction of the ring; 13 hex digits fit a double exactly */
  function frac (id) { return parseInt(id.slice(0, 13), 16) / TWO_52 }
  function angle (id) { return frac(id) * 2 * Math.PI - Math.PI / 2 }
  function point (id, r) { var a = angle(id); return [r * Math.cos(a), r * Math.sin(a)] }
  function xy (p) { return p[0].toFixed(1) + ' ' + p[1].toFixed(1) }
  function hue (peer) {
    var h = 7
    for (var i = 0; i < peer.length; i++) h = (h * 31 + peer.charCodeAt(i)) % 3600
    return h / 10
  }
  function colour (peer, lightness) { return 'hsl(' + hue(peer).toFixed(0) + ', 62%, ' + (lightness || 45) + '%)' }
  function formatBytes (n) {
    if (n < 1024) return n + ' B'
    var units = ['KiB', 'MiB', 'GiB', 'TiB']
    var v = n / 1024
    var u = 0
    while (v >= 1024 && u < units.length - 1) { v /= 1024; u++ }
    return v.toFixed(1) + ' ' + units[u]
  }
  function time (ms) { return new Date(ms).toLocaleTimeString() }

  /** positions of every peer found, answering or only named by others */
  function model (data) {
    var peers = new Map()
    var positions = new Map()
    data.peers.forEach(function (p) {
      peers.set(p.peer, p)
      if (!p.ring) return
      p.ring.positions.forEach(function (pos) {
        positions.set(posKey(p.peer, pos.vnode), { peer: p.peer, vnode: pos.vnode, id: pos.id, answered: true, joined: p.ring.joined, pos: pos, store: p.ring.store })
      })
    })
    // a peer that did not answer sits where the others say it is
    data.peers.forEach(function (p) {
      if (!p.ring) return
      p.ring.positions.forEach(function (pos) {
        var refs = pos.successors.concat(pos.predecessor ? [pos.predecessor] : [], pos.fingers.map(function (f) { return f.node }))
        refs.forEach(function (n) {
          var k = posKey(n.peer, n.vnode)
          if (positions.has(k)) return
          var peer = peers.get(n.peer)
          if (peer && peer.ring) return
          positions.set(k, { peer: n.peer, vnode: n.vnode, id: n.id, answered: false, error: peer ? peer.error : 'not asked' })
        })
      })
    })
    return { peers: peers, positions: positions }
  }

  /** an arc along the rim from one position to another, clockwise or not */
  function arc (from, to, r, clockwise) {
    var d = clockwise ? frac(to) - frac(from) : frac(from) - frac(to)
    d = ((d % 1) + 1) % 1
    if (d === 0) return null
    return 'M' + xy(point(from, r)) + ' A' + r + ' ' + r + ' 0 ' + (d > 0.5 ? 1 : 0) + ' ' + (clockwise ? 1 : 0) + ' ' + xy(point(to, r))
  }

  /** a chord bent towards the centre */
  function chord (from, to, r) {
    var a = point(from, r)
    var b = point(to, r)
    var c = [(a[0] + b[0]) * 0.3, (a[1] + b[1]) * 0.3]
    return 'M' + xy(a) + ' Q' + xy(c) + ' ' + xy(b)
  }

  function defs () {
    var d = el('defs', {}, svg)
    ;[['arrow-succ', '#4a5568'], ['arrow-pred', '#a0aec0'], ['arrow-finger', '#dd6b20']].forEach(function (m) {
      var marker = el('marker', { id: m[0], viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' }, d)
      el('path', { d: 'M0 0 L10 5 L0 10 z', fill: m[1] }, marker)
    })
  }

  function drawRing (m) {
    clear(svg)
    defs()
    el('circle', { r: R, class: 'rim' }, svg)
    var zero = point('0000000000000', R)
    el('line', { x1: zero[0], y1: zero[1] - 8, x2: zero[0], y2: zero[1] + 8, class: 'tick' }, svg)
    el('text', { x: 0, y: -R + 26, class: 'tick-label' }, svg).textContent = '0'

    var max = 1
    m.positions.forEach(function (p) { if (p.store) max = Math.max(max, p.store.keys) })
    var selected = state.selected && m.positions.get(state.selected)
    var marked = new Map()
    if (state.lookup) {
      state.lookup.replicas.forEach(function (r) { marked.set(posKey(r.peer, r.vnode), 'replica') })
      marked.set(posKey(state.lookup.owner.peer, state.lookup.owner.vnode), 'owner')
    }

    var links = el('g', { class: 'links' }, svg)
    m.positions.forEach(function (p) {
      if (!p.answered) return
      var succ = p.pos.successors[0]
      var s = succ && arc(p.id, succ.id, R + 14, true)
      if (s) el('path', { d: s, class: 'succ', 'marker-end': 'url(#arrow-succ)' }, links)
      var pred = p.pos.predecessor
      var q = pred && arc(p.id, pred.id, R - 14, false)
      if (q) el('path', { d: q, class: 'pred', 'marker-end': 'url(#arrow-pred)' }, links)
    })

    if (selected && selected.answered) {
      var fingers = el('g', { class: 'fingers' }, svg)
      selected.pos.fingers.forEach(function (f) {
        if (f.node.id === selected.id) return
        var path = el('path', { d: chord(selected.id, f.node.id, R - 20), class: 'finger', 'marker-end': 'url(#arrow-finger)' }, fingers)
        el('title', {}, path).textContent = 'finger ' + f.index + ' → ' + label(f.node.peer, f.node.vnode)
      })
    }

    if (state.lookup) {
      var l = state.lookup
      var g = el('g', { class: 'lookup' }, svg)
      // inside the rim, where the labels are not
      var k = point(l.id, R - 44)
      var o = point(l.owner.id, R - 8)
      el('line', { x1: k[0], y1: k[1], x2: o[0], y2: o[1], class: 'key-link' }, g)
      el('rect', { x: k[0] - 7, y: k[1] - 7, width: 14, height: 14, transform: 'rotate(45 ' + xy(k) + ')', class: 'key' }, g)
      var c = Math.cos(angle(l.id))
      el('text', { x: k[0] + (c >= 0 ? -12 : 12), y: k[1], 'text-anchor': c >= 0 ? 'end' : 'start', class: 'key-label' }, g).textContent = state.lookupKey
    }

    var now = Date.now()
    state.ghosts.forEach(function (ghost, peer) {
      var age = now - ghost.at
      if (age > GHOST_MS) { state.ghosts.delete(peer); return }
      ghost.ids.forEach(function (id) {
        var p = point(id, R)
        el('circle', { cx: p[0], cy: p[1], r: 9, class: 'ghost', opacity: (1 - age / GHOST_MS).toFixed(2) }, svg)
      })
    })

    var nodes = el('g', { class: 'nodes' }, svg)
    var showLabels = m.positions.size <= 48
    var labels = []
    m.positions.forEach(function (p, key) {
      var at = point(p.id, R)
      var keys = p.store ? p.store.keys : 0
      var classes = ['node']
      if (!p.answered) classes.push('unreachable')
      else if (!p.joined) classes.push('joining')
      if (p.peer === state.data.peer) classes.push('self')
      if (key === state.selected) classes.push('selected')
      if (marked.has(key)) classes.push(marked.get(key))
      var fresh = state.fresh.get(p.peer)
      if (fresh !== undefined && now - fresh < FRESH_MS) classes.push('fresh')
      var g = el('g', { class: classes.join(' '), 'data-peer': p.peer, 'data-vnode': p.vnode, transform: 'translate(' + xy(at) + ')' }, nodes)
      var r = p.answered ? 6 + 10 * Math.sqrt(keys / max) : 6
      if (marked.has(key)) el('circle', { r: r + 7, class: 'halo' }, g)
      el('circle', { r: r, fill: p.answered ? colour(p.peer) : '#fff', stroke: colour(p.peer, 30), class: 'dot' }, g)
      el('title', {}, g).textContent = p.peer + ' position ' + p.vnode + '\n' + p.id +
        (p.answered ? '\n' + keys + ' keys, ' + formatBytes(p.store.bytes) : '\nunreachable: ' + (p.error || 'no answer'))
      g.addEventListener('click', function () { select(key) })
      if (showLabels || key === state.selected || marked.has(key)) labels.push({ p: p, g: g, at: at, a: angle(p.id), keys: keys })
    })
    placeLabels(labels)
  }

  /** the angle each label needs from its neighbours: text is wider than it is tall */
  function gapAt (a) { var s = Math.sin(a); return 0.085 + 0.17 * s * s }

  /** labels outside the rim, pushed apart where positions crowd, with a leader line when moved */
  function placeLabels (labels) {
    labels.sort(function (x, y) { return x.a - y.a })
    var n = labels.length
    var la = labels.map(function (l) { return l.a })
    for (var round = 0; round < 200 && n > 1; round++) {
      var moved = false
      for (var i = 0; i < n; i++) {
        var j = (i + 1) % n
        var d = la[j] - la[i] + (j === 0 ? 2 * Math.PI : 0)
        var need = Math.min(gapAt((la[i] + la[j]) / 2), 2 * Math.PI / n)
        if (d < need - 1e-6) {
          la[i] -= (need - d) / 2
          la[j] += (need - d) / 2
          moved = true
        }
      }
      if (!moved) break
    }
    labels.forEach(function (l, i) {
      var a = la[i]
      var c = Math.cos(a)
      var s = Math.sin(a)
      var lx = (R + 40) * c - l.at[0]
      var ly = (R + 40) * s - l.at[1]
      if (Math.abs(a - l.a) > 0.02) {
        el('line', { x1: ((R + 10) * Math.cos(l.a) - l.at[0]).toFixed(1), y1: ((R + 10) * Math.sin(l.a) - l.at[1]).toFixed(1), x2: ((R + 32) * c - l.at[0]).toFixed(1), y2: ((R + 32) * s - l.at[1]).toFixed(1), class: 'leader' }, l.g)
      }
      var anchor = Math.abs(c) < 0.35 ? 'middle' : c > 0 ? 'start' : 'end'
      // above the ring the two lines stack upwards, below it downwards
      var top = s < -0.35 ? -0.6 : s > 0.35 ? 0.5 : 0
      var text = el('text', { x: lx.toFixed(1), y: ly.toFixed(1), dy: (top - 0.1).toFixed(2) + 'em', 'text-anchor': anchor, class: 'label' }, l.g)
      text.textContent = label(l.p.peer, l.p.vnode)
      if (l.p.answered) el('tspan', { x: lx.toFixed(1), dy: '1.15em', class: 'sub' }, text).textContent = l.keys + ' keys · ' + formatBytes(l.p.store.bytes)
    })
  }

  function select (key) {
    state.selected = key
    render()
  }

  function drawSummary (m) {
    var answered = 0
    var unreachable = 0
    var keys = 0
    var bytes = 0
    m.peers.forEach(function (p) {
      if (p.ring) {
        answered++
        keys += p.ring.store.keys
        bytes += p.ring.store.bytes
      } else unreachable++
    })
    var positions = 0
    m.positions.forEach(function (p) { if (p.answered) positions++ })
    $('peer-count').textContent = String(answered)
    $('position-count').textContent = String(positions)
    $('key-count').textContent = String(keys)
    $('byte-count').textContent = formatBytes(bytes)
    $('unreachable').textContent = unreachable > 0 ? ' · ' + unreachable + ' not answering' : ''
    document.body.setAttribute('data-peers', String(answered))
  }

  function drawTable (m) {
    var body = $('peers').tBodies[0]
    clear(body)
    var rows = []
    m.peers.forEach(function (p) {
      var first = p.ring && p.ring.positions[0]
      rows.push({ p: p, at: first ? first.id : 'g' })
    })
    rows.sort(function (a, b) { return a.at < b.at ? -1 : a.at > b.at ? 1 : 0 })
    rows.forEach(function (row) {
      var p = row.p
      var tr = tag('tr')
      if (state.selected && state.selected.indexOf(p.peer + '/') === 0) tr.className = 'selected'
      var sw = tag('td')
      var box = tag('span', '', 'swatch')
      box.style.background = p.ring ? colour(p.peer) : '#fff'
      box.style.borderColor = colour(p.peer, 30)
      sw.appendChild(box)
      tr.appendChild(sw)
      var name = tag('td', short(p.peer) + (p.peer === state.data.peer ? ' (this daemon)' : ''))
      name.title = p.peer
      tr.appendChild(name)
      if (p.ring) {
        tr.appendChild(tag('td', String(p.ring.store.keys), 'num'))
        tr.appendChild(tag('td', formatBytes(p.ring.store.bytes), 'num'))
        tr.appendChild(tag('td', p.ring.joined ? '' : 'joining'))
      } else {
        var err = tag('td', 'not answering', 'error')
        err.colSpan = 3
        err.title = p.error || ''
        tr.appendChild(err)
      }
      tr.addEventListener('click', function () { select(posKey(p.peer, 0)) })
      body.appendChild(tr)
    })
  }

  function drawSelected (m) {
    var box = $('selected')
    clear(box)
    var p = state.selected && m.positions.get(state.selected)
    if (!p) { box.appendChild(tag('p', 'Click a peer to see its neighbours and fingers.', 'hint')); return }
    var dl = tag('dl')
    function row (name, value) { dl.appendChild(tag('dt', name)); dl.appendChild(tag('dd', value)) }
    row('peer', p.peer)
    row('position', p.vnode + ' @ ' + p.id.slice(0, 16) + '…')
    if (p.answered) {
      row('holds', p.store.keys + ' keys, ' + p.store.tombstones + ' tombstones, ' + formatBytes(p.store.bytes))
      row('predecessor', p.pos.predecessor ? label(p.pos.predecessor.peer, p.pos.predecessor.vnode) : 'none')
      row('successors', p.pos.successors.length === 0 ? 'none' : p.pos.successors.map(function (s) { return label(s.peer, s.vnode) }).join(' '))
      row('fingers', p.pos.fingers.length + ' distinct (drawn in orange)')
    } else {
      row('state', 'not answering: ' + (p.error || 'no answer'))
    }
    box.appendChild(dl)
  }

  function drawEvents () {
    var list = $('events')
    while (list.children.length > 12) list.removeChild(list.lastChild)
  }

  function event (text) {
    var li = tag('li', time(Date.now()) + '  ' + text)
    $('events').insertBefore(li, $('events').firstChild)
  }

  /** peers that answered this time and not last time, and the reverse */
  function changes (m) {
    var now = new Map()
    m.peers.forEach(function (p) {
      if (p.ring) now.set(p.peer, p.ring.positions.map(function (pos) { return pos.id }))
    })
    if (state.seen !== null) {
      now.forEach(function (ids, peer) {
        if (state.seen.has(peer)) return
        state.fresh.set(peer, Date.now())
        state.ghosts.delete(peer)
        event(short(peer) + ' joined')
      })
      state.seen.forEach(function (ids, peer) {
        if (now.has(peer)) return
        state.ghosts.set(peer, { ids: ids, at: Date.now() })
        event(short(peer) + (m.peers.has(peer) ? ' stopped answering' : ' left'))
      })
    }
    state.seen = now
  }

  function render () {
    if (!state.data) return
    var m = model(state.data)
    if (!state.selected || !m.positions.has(state.selected)) state.selected = posKey(state.data.peer, 0)
    drawRing(m)
    drawSummary(m)
    drawTable(m)
    drawSelected(m)
    drawEvents()
    state.renders++
    document.body.setAttribute('data-renders', String(state.renders))
  }

  function status (text, error) {
    var s = $('status')
    s.textContent = text
    s.className = error ? 'error' : ''
  }

  async function poll () {
    var started = Date.now()
    try {
      var response = await fetch('/ring?peers=true', { cache: 'no-store' })
      var body = await response.json()
      if (!response.ok) throw new Error(body.error || ('answered ' + response.status))
      state.data = body
      changes(model(body))
      render()
      status('walked from ' + short(body.peer) + ' at ' + time(Date.now()) + ' in ' + (Date.now() - started) + ' ms')
      // replicas move as peers come and go: look the key up again now and then
      if (state.lookupKey && Date.now() - state.lookedUp > LOOKUP_EVERY_MS) lookup(state.lookupKey, true)
    } catch (err) {
      status('cannot read the ring: ' + err.message, true)
    }
    setTimeout(poll, POLL_MS)
  }

  /** look the key up and ring its replicas; again: a refresh of the key shown, without "looking up" */
  async function lookup (key, again) {
    var out = $('lookup-result')
    state.lookedUp = Date.now()
    if (key === '') { clear(out); state.lookup = null; state.lookupKey = null; render(); return }
    if (!again) { clear(out); out.appendChild(tag('p', 'looking up…', 'hint')) }
    try {
      var response = await fetch('/keys/' + encodeURIComponent(key) + '/lookup', { cache: 'no-store' })
      var body = await response.json()
      if (!response.ok) throw new Error(body.error || ('answered ' + response.status))
      if (again && state.lookupKey !== key) return
      state.lookup = body
      state.lookupKey = key
      clear(out)
      out.appendChild(tag('p', 'key at ' + body.id.slice(0, 16) + '…, owner ' + label(body.owner.peer, body.owner.vnode) + ' (' + body.hops + ' hop' + (body.hops === 1 ? '' : 's') + ')'))
      var ul = tag('ul')
      body.replicas.forEach(function (r) {
        var what = r.error ? 'unreachable: ' + r.error : r.version === undefined ? 'no record' : (r.deleted ? 'deleted at ' : 'holds the write of ') + new Date(r.version.wallTime).toLocaleString()
        ul.appendChild(tag('li', label(r.peer, r.vnode) + ': ' + what))
      })
      out.appendChild(ul)
    } catch (err) {
      if (again && state.lookupKey !== key) return
      state.lookup = null
      clear(out)
      out.appendChild(tag('p', 'lookup failed: ' + err.message, 'error'))
    }
    render()
  }

  $('lookup-form').addEventListener('submit', function (e) {
    e.preventDefault()
    lookup($('lookup-key').value)
  })
  $('lookup-clear').addEventListener('click', function () {
    $('lookup-key').value = ''
    lookup('')
  })
  poll()
})()
`
