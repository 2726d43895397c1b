/** The parts of w3c/webvtt.js (the W3C WebVTT validator's parser) that src/services/subtitles.ts uses. */
declare module 'webvtt-parser' {
  interface Cue {
    id: string
    startTime: number
    endTime: number
    text: string
  }
  interface ParseResult {
    cues: Cue[]
    styles: unknown[]
    errors: Array<{ message: string, line: number, col?: number }>
  }
  interface WebVTTParser {
    parse (input: string, mode?: 'subtitles' | 'chapters' | 'metadata'): ParseResult
  }
  interface WebVTTSerializer {
    serialize (cues: Cue[], styles?: unknown[]): string
  }
  const webvtt: { WebVTTParser: new () => WebVTTParser, WebVTTSerializer: new () => WebVTTSerializer }
  export default webvtt
}
