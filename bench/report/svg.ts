/**
 * Minimal SVG charts written as text: grouped bars and lines, linear or
 * log scale. No dependencies; the output opens in any browser or on GitHub.
 */

const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f']
const W = 760
const H = 400
const M = { top: 40, right: 180, bottom: 70, left: 70 }

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

export function fmt (v: number): string {
  if (!Number.isFinite(v)) return '–'
  const a = Math.abs(v)
  if (a >= 1e6) return `${(v / 1e6).toFixed(a >= 1e7 ? 0 : 1)}M`
  if (a >= 1e4) return `${(v / 1e3).toFixed(0)}k`
  if (a >= 100) return v.toFixed(0)
  if (a >= 10) return v.toFixed(1)
  if (a >= 1) return v.toFixed(2)
  return v.toPrecision(2)
}

interface Scale { map(v: number): number, ticks: number[] }

function scale (lo: number, hi: number, log: boolean, from: number, to: number): Scale {
  if (log) {
    const a = Math.floor(Math.log10(Math.max(lo, 1e-9)))
    const b = Math.ceil(Math.log10(Math.max(hi, lo * 10, 1e-9)))
    const ticks: number[] = []
    for (let e = a; e <= b; e++) ticks.push(10 ** e)
    return { map: v => from + (Math.log10(Math.max(v, 10 ** a)) - a) / (b - a || 1) * (to - from), ticks }
  }
  const top = hi <= 0 ? 1 : hi * 1.05
  const step = niceStep(top / 5)
  const ticks: number[] = []
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(t)
  const max = ticks[ticks.length - 1]
  return { map: v => from + (v / max) * (to - from), ticks }
}

function niceStep (raw: number): number {
  const e = 10 ** Math.floor(Math.log10(raw))
  const f = raw / e
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e
}

function frame (title: string, yLabel: string, body: string[], legend: string[]): string {
  const lines = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - M.right / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text transform="translate(16 ${(M.top + H - M.bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    ...body,
    ...legend.map((name, i) => {
      const y = M.top + 10 + i * 20
      return `<rect x="${W - M.right + 16}" y="${y - 9}" width="12" height="12" fill="${PALETTE[i % PALETTE.length]}"/><text x="${W - M.right + 34}" y="${y + 1}">${esc(name)}</text>`
    }),
    '</svg>'
  ]
  return lines.join('\n') + '\n'
}

function yAxis (s: Scale): string[] {
  return s.ticks.flatMap(t => {
    const y = s.map(t)
    return [
      `<line x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${y + 4}" text-anchor="end">${fmt(t)}</text>`
    ]
  })
}

export interface BarChart {
  title: string
  yLabel: string
  groups: string[]
  series: Array<{ name: string, values: number[] }>
  log?: boolean
}

export function barChart (c: BarChart): string {
  const all = c.series.flatMap(s => s.values).filter(v => Number.isFinite(v) && (c.log !== true || v > 0))
  const s = scale(Math.min(...all, c.log === true ? Infinity : 0), Math.max(...all, 0), c.log === true, H - M.bottom, M.top)
  const groupW = (W - M.left - M.right) / Math.max(1, c.groups.length)
  const barW = groupW * 0.8 / Math.max(1, c.series.length)
  const body = yAxis(s)
  c.groups.forEach((g, gi) => {
    const x0 = M.left + gi * groupW + groupW * 0.1
    c.series.forEach((series, si) => {
      const v = series.values[gi]
      if (!Number.isFinite(v) || (c.log === true && v <= 0)) return
      const y = s.map(v)
      const x = x0 + si * barW
      body.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 1).toFixed(1)}" height="${(H - M.bottom - y).toFixed(1)}" fill="${PALETTE[si % PALETTE.length]}"><title>${esc(`${series.name}, ${g}: ${fmt(v)}`)}</title></rect>`)
      body.push(`<text x="${(x + barW / 2).toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle" font-size="9">${fmt(v)}</text>`)
    })
    body.push(`<text x="${(x0 + groupW * 0.4).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${esc(g)}</text>`)
  })
  body.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="black"/>`)
  if (c.log === true) body.push(`<text x="${M.left}" y="${H - 12}" font-size="10" fill="#555">log scale</text>`)
  return frame(c.title, c.yLabel, body, c.series.map(x => x.name))
}

export interface LineChart {
  title: string
  xLabel: string
  yLabel: string
  series: Array<{ name: string, points: Array<[number, number]>, dashed?: boolean }>
  logX?: boolean
  logY?: boolean
}

export function lineChart (c: LineChart): string {
  const pts = c.series.flatMap(s => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
  const xs = pts.map(p => p[0])
  const ys = pts.map(p => p[1])
  const sy = scale(Math.min(...ys, c.logY === true ? Infinity : 0), Math.max(...ys, 0), c.logY === true, H - M.bottom, M.top)
  const xlo = c.logX === true ? Math.min(...xs) : Math.min(0, ...xs)
  const sx = c.logX === true
    ? { map: (v: number) => M.left + (Math.log2(v) - Math.log2(xlo)) / (Math.log2(Math.max(...xs)) - Math.log2(xlo) || 1) * (W - M.left - M.right), ticks: [...new Set(xs)].sort((a, b) => a - b) }
    : scale(xlo, Math.max(...xs), false, M.left, W - M.right)
  const body = yAxis(sy)
  for (const t of sx.ticks) {
    const x = sx.map(t)
    body.push(`<line x1="${x}" x2="${x}" y1="${M.top}" y2="${H - M.bottom}" stroke="#eee"/>`)
    body.push(`<text x="${x}" y="${H - M.bottom + 16}" text-anchor="middle">${fmt(t)}</text>`)
  }
  c.series.forEach((series, i) => {
    const color = PALETTE[i % PALETTE.length]
    const p = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y)).map(([x, y]) => `${sx.map(x).toFixed(1)},${sy.map(y).toFixed(1)}`)
    if (p.length === 0) return
    body.push(`<polyline fill="none" stroke="${color}" stroke-width="2"${series.dashed === true ? ' stroke-dasharray="6 4"' : ''} points="${p.join(' ')}"/>`)
    if (series.points.length <= 12) for (const q of p) body.push(`<circle cx="${q.split(',')[0]}" cy="${q.split(',')[1]}" r="3" fill="${color}"/>`)
  })
  body.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}" stroke="black"/>`)
  body.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - M.bottom + 40}" text-anchor="middle">${esc(c.xLabel)}</text>`)
  return frame(c.title, c.yLabel, body, c.series.map(s => s.name))
}
