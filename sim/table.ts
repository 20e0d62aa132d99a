/** Plain-text tables for the console */

export type Cell = string | number

function format (cell: Cell): string {
  if (typeof cell === 'string') return cell
  if (!Number.isFinite(cell)) return '–'
  if (Number.isInteger(cell)) return String(cell)
  return cell.toFixed(Math.abs(cell) < 0.1 ? 4 : 2)
}

export function table (title: string, headers: string[], rows: Cell[][]): string {
  const cells = rows.map(r => r.map(format))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map(r => r[i]?.length ?? 0)))
  const line = (r: string[]): string => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ')
  return [title, line(headers), widths.map(w => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n')
}

export const percent = (x: number): string => `${(100 * x).toFixed(2)}%`
