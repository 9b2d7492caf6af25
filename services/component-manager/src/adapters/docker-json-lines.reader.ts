/** The JSON documents of an engine stream that writes one per line (`/events`, `/images/create`). */
export async function* jsonLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<unknown> {
  let text = '';
  for await (const chunk of stream) {
    text += chunk.toString();
    let newline: number;
    while ((newline = text.indexOf('\n')) >= 0) {
      const line = text.slice(0, newline).trim();
      text = text.slice(newline + 1);
      if (line) yield JSON.parse(line);
    }
  }
  if (text.trim()) yield JSON.parse(text);
}
