// A bar chart in SVG: what the studio's and the console's figures are drawn with. Screen readers get the same
// figures as a table (the chart itself is one labelled image).

export interface Bar { label: string, value: number }

export function BarChart ({ title, bars, format = String, max }: {
  title: string
  bars: Bar[]
  /** How a value reads (a share as a percentage, coins as coins). */
  format?: (value: number) => string
  /** The top of the scale (1 for shares); the largest value by default. */
  max?: number
}) {
  if (bars.length === 0) return <figure><figcaption>{title}</figcaption><p>No figures yet.</p></figure>
  const top = max ?? Math.max(1, ...bars.map((b) => b.value))
  const width = 100 / Math.max(bars.length, 7) // a few bars stay bars, not blocks
  return (
    <figure className='chart'>
      <figcaption>{title}</figcaption>
      <svg viewBox='0 0 100 50' preserveAspectRatio='none' role='img' aria-label={`${title}: ${bars.map((b) => `${b.label} ${format(b.value)}`).join(', ')}`}>
        {bars.map((b, i) => {
          const height = (b.value / top) * 46
          return (
            <rect key={b.label} x={i * width + width * 0.1} width={width * 0.8} y={50 - height} height={height}>
              <title>{b.label}: {format(b.value)}</title>
            </rect>
          )
        })}
      </svg>
      <div className='chart-axis' aria-hidden='true'>
        {bars[0]!.label}{bars.length > 1 && ` to ${bars.at(-1)!.label}`}
      </div>
      <details>
        <summary>Figures</summary>
        <table>
          <tbody>{bars.map((b) => <tr key={b.label}><th scope='row'>{b.label}</th><td>{format(b.value)}</td></tr>)}</tbody>
        </table>
      </details>
    </figure>
  )
}

export const percent = (share: number): string => `${Math.round(share * 100)} %`
