/**
 * Media samples shaped like what phones and action cameras write, for the metadata tests: a progressive JPEG,
 * MPF files (a primary image plus secondary images, each with its own EXIF), motion photos (a JPEG with an
 * MP4 after its EOI), and MP4s with timed-metadata tracks (GoPro `gpmd`, Google `camm`, a `meta`-handler
 * track) whose samples hold GPS fixes. Pure byte builders, usable in workerd and in Node; the browser-side
 * tests (tests/e2e/media-exiftool.test.ts) let exiftool write the EXIF/XMP/QuickTime tags into them.
 */
const enc = new TextEncoder();
export const b64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));
/** The bytes of the parts, one after the other (the samples are a few KiB: plain arrays are fast enough). */
export const cat = (...parts: (Uint8Array | number[])[]) => Uint8Array.from(parts.flatMap((p) => Array.from(p)));
const u16 = (v: number) => [(v >> 8) & 255, v & 255];
const u32 = (v: number) => [v >>> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255];
const i32 = (v: number) => u32(v >>> 0);

/**
 * A 493×58 progressive JPEG (SOF2, seven scans with Huffman tables between them), no metadata: Node.js's
 * documentation image thin-white-stripe.jpg (MIT licence), as Debian ships it in /usr/share/doc/nodejs.
 */
export const PROGRESSIVE_JPEG = b64(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wCEAAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQECAgICAgICAgICAgMDAwMDAwMDAwMBAQEBAQEBAgEBAgICAQICAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA//CABEIADoB7QMBEQACEQEDEQH/xAAdAAEAAwACAwEAAAAAAAAAAAAACAkKAgYBBQsH/9oACAEBAAAAALCgAAAAAAAAdZ7MBrrAAAAAAA8gHB89v6E4HIAAAAAAAILZENP/ALWvO7/JxSXvIzA65JvAAAAAAAAGOeQ1R0iouWeVtQNsAmNfHacAAAAAAAAVvTdr26FBOyTOdbRO3O5s/wDZAAAAAAAAAQ0iT+mWZcwAAAAAAAABFeEc2ZVgAAAAAAAAAAD/xAAcAQEAAQUBAQAAAAAAAAAAAAAAAwECBAUGBwj/2gAIAQIQAAAA+aQAAAAAAABQqB9JAAAAAAAUAJGLMBKAAAAAAAFsMvjGV6tfHkRTXAAAAAAAAEFbPjjqfcustu1W7vAAAAAAAALa2+dc/wB9vsisc4AAAAAAAADndDmdoAAAAAAAAAGj5vpN4AAAAAAAAAAAP//EABwBAQACAgMBAAAAAAAAAAAAAAACBgMEBQcIAf/aAAgBAxAAAADziAAAAAAAAAA9HgAAAAAAfAA29QAAAAAAAAE9jB1PxXb/ACeXVz60QAAAAAAADZjk8Y7XoPsGcK9zWMAAAAAAAAnGfVVd7CusoZtYAAAAAAAABV63v3z6AAAAAAAAAK9VLVYgAAAAAAAAAAB//8QAKRAAAQIFBQACAgIDAAAAAAAAAAYIBQcJGSICAwQKEQFQEzkUGDFIYP/aAAgBAQABCACw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPFLDTxSw08UsNPGLDTxhO0T3Jq/fUPFSVhp4pYaeKWGnilhp4pYaeKWGnilhp4pmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmZmeajzUeajzUeajzUeajzUeaj8fz8f4/F8kTnJNWUPYWVmiWXmo81Hmo81Hmo81Hmr7B91RFt9PGX0HW8+132enoRWe0PXMv6cdXhtNRvi8hMol09S5FSf34+i5SyMrLzKRCu3YC5KMu7binW78116ger2fJhxVVbKaYtIud8fcpVqb5P1U1EqtLYqcsP4sFmMiO0I7uHz4560XzG6g7bKg8vYoum/fZ9s7/QMYTT7ZlMGiDx12tOsL+xdWk5lfs8F2TpENyZn7+5xvj+RtOF3N3d6zCn3d6gvxqXnI1uE/vnKnTI7RWGktobR2hP2IIElHT/AG9VEWpKVBtFpa0tJc0yZeriEJ37N91MWRdQ9dN0UM/kPKSWUtpaQaTaFblSLa60d30cdi3Z51IKVTgo9HZuSbRdJrTDeFyZiPmjkObjFm3cluswnZdapYxHnwiY9O6nB185BtCjKOnPPqoHSmaxUThXG58125dcd8UlXWcZTJ6DcHlQyEQqG837fQn4GqHgzRjCmgzmHOK5LJ5Vb8oUaipmTKVELhm1t6drb29rT91MaWc4ITMuPzckomU43uApNLywh7fJKqlERuKr5bf8N//EADoQAAAGAgEDAgQEAwUJAAAAAAECAwQFBgAHCJax1xESExQhoRUWIlAXQWEJIyQxWEJRYGhxtrfI0f/aAAgBAQAJPwC98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvXHXrPYfijL1x16z2H4ozdHE+0OajOvKta29d2jb5tesWaO9v4hXLClG6zcqQs6x95fjM3IJOEvUPcQPXL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4oy98desth+KMvfHXrLYfijL3x16y2H4owe2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2we2D2wfsGG+wYb7BhvsGG+wYb7BhvsGG+wYb7BhvsGG/l6B6gI+n/T9Qf8A3+uHN/L/AHfQPQPUCj/n+r0+oj6j9foIZsC1UhDYH9olVNfXtlX5d2xjLlSrVumBgp6s2iLTU/D52IfRsksX4TlJQEVDAql7FSEOU32DDfYMN9gw32DDfYMN9gw32D9wnJgZW4jONtb69qkUeXuWwpGupRis02hUlVGcPHs4gs2zF29kHbRqgDlMvvMqokkeh6uqWjoldZr/AALmYwbK4s8SssQRe2nZXwo2zN7SigBvlloksdGoGMX47J37BE6c5rnecDXFLLbtM20gu3jWIaO46OkJ6p2xk2ShLdXGslKoIip7WUimKpTLMkSGKY0U22LsKEkJOBlpOQM4b0arT0O9exkvGPjNlG0pZJaHk2JkHLVqdq3TOJii8BVJREIRvsWmTD5Zw2tVSi4ivXOqgqIf4EkQ1LGVyzQ7X2FBJNT5J8UFDnO7cCUiQ7TgoXQEdGnk32wpJvLNWbchJ0av8gMSeP8AzArOK2b0jkmCbQ71d6YqKaRzmKA0GJqtKhJdBd7szcEInOWW9N2LgDKMYukIPyRtRrUmVMxTquHDqVXbqFMQI5YohkRDwNj25zw0RepuGr/zv4JGyU9u6mu3bSKCRcvX4MUlTCCYLLKqAX6CYw/XHEzet02CvFsdN0rTUgCelIlw7fxjGesdgeJDB06ruJWMXR+ZXMu8V+CqLVm6FJQpdX6vsehpVZFoGk4Ju5gpmrxKSx/bI17ZixX8vI2pRExfmjyTZxGuRIIINGPv9xLLIuX1UGFb7DoNnjDwt413JWBKRWh2ViYEVdxrhvKFiHfyj2PdPGLkWypSLCokqQn7n/zUf+uGceddWTYd/wBKbo2LYtjSkODnYP5xp8psprVJaEuZ1PzDWSQDaGbpoNY5w1ZmKU/xUlBXcCr/AKXtl/8Afep8X9Svd/bpl4z3G/Sg9U2FY1XbAoj6+guW4fGKH0ADFN/tHwfRRFQFCD/UBH/P+gh9MMJ1VLdDHUOYfUxzm5pxwmMI/wAxMI+uDo8dhFi2P8Nib/WBKo/kEYKeHYClf/MRiUU1uTUBuKImEZ4hA90d6eiw4Yx+P5f7QfTRdPmMNhMUaCG+6p+XhRNbACzmbfI+34QyH+MFL2/F/X65/pS1x/5L3PkfxBTZVzU+rVte2oDy1e3lrfezt3Qf4oSG45FtDPNvSjKWasLIiZGZJJV9z6sRhilIl8VC92LZeyNujTnW07jKNm8LAunFHSspK9GVCqt1Hh4OHjTW+QEx3Lt67dKLe86hSFTRS/c5i3qU7j6ps5wXX1XfJwbbYC2xza6E7SxWRABnIuHjC6/KB0o4zZ24+aH2ukPh/rotZrOq6/XlKpE0GNimpKw3rq6S6TyKUjFSKoPG8iV0qLr44KGdnWUOsJzqHMZKwa7C0a1tWv53TqDoJbXzdxZrBVJ89gqisiZWdrQIqVoxDx3zDlj6LlBsRoml8NSbHTW8pSTd2WScnB1Ja+u1kcrLvnEhYokorSFdlpSQMQy8hGe5L6qKqsHK6hj5smvaf1xBPDoO67WLFHvp21OEDuCJJNrGdB0xjWEwokQ7Nu1bvpl6icyXwGTj2iHDXYMHwNlosYJGRmYqRWaN2aE2naU7bZadHzDjc1OiVbEH4m1sjgPxEr0oOlwbiYqo7Vq24NTXKQbHbVO+2yIYTdTj5ByBDSURsBikNbvFXigE5lQOmzlkEkwTInILe42TZN/8h6tJRNnrp0U3kVqfWtpiHKMjGSdTg1BQlLZOwkiiCjaUl/akVRNNdGParplUyFk6rtuCgvwCm7rpLgjO4wcYi5fSLKElmboq8JbqujKSCy3yT1EVUvjrfKOGiiyig8sq9qDXdLeIyEDvzVD2wttoWSLWX9ysAx18czNpEPXjduCUmhJSbyIKRUoFCTJ8RHJd/YHsfGsWLuelUoxGUm3TRqkg4l5JGFj4mHSfySqYrLFaNWzYqhxBJJMntIH7vEsrE91fpTUUlr0ZpH8SbU+Tsk7tw89KwDF0KjONl5UIFmRV4mmV0KaBSAoBPUBl7JAQi2qaDYm1h1loqP3NByFsm60M3Zf4os4WYeWuis2rhdH4LZrHJGPHm+ZKoYDFATQ0HVNl8dOPu57A01Ks9iqPIbJlbTs1pN2uvRU7FIC2CSCJQTOZzHN3axW6YukwXKYQE4lTIRMoqHOqcSkKBQE6ihjKKHEA+pjCIiP1EfX97fUGXkLnRq9Q7jRdkHm4Zg4b1V5antfsFdt1eazDqNfNFba4I5ZuI5wi6SAPaqicAHK3u+88jq/Ta7rm90HVMluXTkhdVKnEowjeavxjSdGrbTXh0TAmxnpUxBXjTEImKhkxbpt6bWZOSoNJ1nV9Y68SfL1XXVBoz6xycJCq2OVMR/bbAZzZ1vm3oNmaAmL6JpnD+8H/AIG//8QANBEAAQIDCAIBAQcDBQAAAAAAAQIDABESBAYXUlSTodIFITFBBxMiMlBRcWGB0xUjQkRg/9oACAECAQE/AMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMO73aUbrPeMPL36QbrP8AkjDy9+kG6z/kjDu9x/6o3Wf8kYd3u0o3We8Yd3u0o3We8Yd3u0o3We8Yd3u0o3We8Yd3u0o3We8Yd3u0o3We8Yd3u0o3We8UOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFDmfgRQ5n4EUOZ+BFLmfgRS5n4EUuZ+BFLmfgRS5n4EUuZ+BFLmfgRS5n4EUuZ+BE1/vxE1/vwI/EFyn7nFLmfgRS5n4EUuZ+BFLmfgRS5n4EUuZ+BFLmfgfqClBI9x96qf9ISsK/mL6fbN4i73k13d8S2bV51BpXUCllokTko+lOKEwaUST79uAgpi7v2gW5bKVeYSHUKM6kAJUn+B6SoD9vR+pUfiLJbbLbrMm2WVYXZ1TkfY+CQfRkQQQRIiFOn/jAM1T/rClhPz8wHVT9/EJUFD1+qPfSEpT93OXuUNfm/tH2l+Msz16F+YsY/3kWhxt6X1AcUEn+UmaSf2Kf2jxyijxoWPkCcXGmbpsFRmSpwz/AJdWYbo91fMeq/XxOHfzf2izt+YV5V0vFr/SPux92B+YK9Tn6nmnMy/LT9YQgI/n9UUgKIn9IkAJfSAgJVUIvP8AZ1YPMly1+PUGLc4SpQMy04pUySR7KFKJmVJmPk0FRnHh7kKsNiK7zOJs9kQSJBQKlft7EwAr6ATWfiSTFjt9l8bZEMs2J9jwaRJK5TkJzKlImXEpJJNagST7UBOcNlq0Nh6zLStlQmCCCD/BHqEthPs+zCkBXz8wGlA/P6yGWn7wPuPJC1MWZotz90FSnaikH0CaRM/PqU4b8z5q0MIfKlob+4QqptgPJKlJmr7wAlSADKQCR+H8U48fZ7NbbatCKUsPWNh5QamEFwqcBUkKH1kPlIJkKhOAJCX63a7F5Bu2rt/jS0pbjSULQ5UB+EqKVJWkEgiozBSQR9QYYZ8S0wixIRaXfLobS2tDReZK6RKpftCQ3lWr5T6E5SHifGv2ZxVqtIbQtTSG0ttzpbQgqIFR9qV+IzMgP2H1/wDD/wD/xAA1EQABAgQFBAAEBQIHAAAAAAABAgMABAYRF1FTktMFEiExEyIyQQcUUGGBUnEwQmBikaHB/9oACAEDAQE/AMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1JPe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKMIqn1ZLe5xRhFU+rJb3OKLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOLDOPH+F82cfNnAALPnL9XQhSzYQGE2sfcLbUjyfUVV+KPTuizS+k9LR+Z6qhXaom4abUPBBPhS1D7pTYf7wQRHQ/xGn2yB1pIeZUb9yAErT+wAslQH2Bsr2So+okJ2W6nLInJFXxJdd7GxHokEWNiCCCDcfaEsC3z+4I7WyBlCG1L9eoLCbWHuFoUg2P6pL/f+P8A2FrUHbA+Lw/9H8xV3wF1PNOM/WJt4K/uHVD/AJHm/wDEKWW5PvT9QF/+o/C8qNJSqlG6ip43/u65DvxPHZe0G/wz3e7Qx9H8xLmom6gfVOKbPQC2PhgW7u7x+1/6u65t9Pb94ccKz+w/VELKAbezBJJufcKcUpPaqKq/DLp/WXHOodKV+W6otRUoG5acUSSSoeShSiblSbj2S2VEmJCg/wAvKGYqx1ErJINilKgVLtkoXACv8oHcsjx2pMdO6pK9HlG2paQmJan0AhDnbewvcqW3cupQoknvUCTe6gL3iWnmJplL7KkrZULhSSCk/wBiIW8VeE+BCHFI9eoU8gp8jz+shlmYqaYdmEha5eUZLfd5CCpT3cUg+Ao9qbqHmwteGuvdemZdEwpTiGjLNqCmpcPpK1J7lfFCSVtgEiwCR8vzXjpkrKz8+4232ol5iRln1Bm4bLpW6FLSFDxftHtIJsO4XgCwt+tz0h1NufX1LpRZUt1lLa23e5IsgrKVJWkKII7zcFJBH3BiXY6KzLN9PQ3NvdcQ0lpxtkvsFzsT29znltIb/pcX7TYC9u0dF6VMSjqpyaDTbimW2kNN37Gm2yopT3HytV1m6rJGQPv/AEP/AP/Z',
);

/** A 1×1 baseline JPEG ending in EOI (SOI, JFIF, DQT, SOF0, DHT, SOS, entropy data, EOI). */
export const BASELINE_JPEG = b64(
  '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxD/2Q==',
);

/** Offsets of every marker segment in a JPEG up to EOI, scan data skipped: [marker, offset]. */
export function jpegMarkers(b: Uint8Array): [number, number][] {
  const out: [number, number][] = [];
  let i = 2;
  while (i + 1 < b.length) {
    const m = b[i + 1]!;
    out.push([m, i]);
    if (m === 0xd9) break;
    let j = i + 2 + ((b[i + 2]! << 8) | b[i + 3]!);
    if (m === 0xda) {
      for (;;) {
        j = b.indexOf(0xff, j);
        const n = b[j + 1]!;
        if (n === 0 || (n >= 0xd0 && n <= 0xd7)) j += 2;
        else break;
      }
    }
    i = j;
  }
  return out;
}

/** An APPn segment with the given payload. */
export function appSegment(n: number, payload: Uint8Array | string): Uint8Array {
  const p = typeof payload === 'string' ? enc.encode(payload) : payload;
  return cat([0xff, 0xe0 + n, ...u16(p.length + 2)], p);
}

/** A progressive JPEG with `segments` inserted between its second and third scans. */
export function betweenScans(jpeg: Uint8Array, ...segments: Uint8Array[]): Uint8Array {
  const scans = jpegMarkers(jpeg).filter(([m]) => m === 0xda);
  if (scans.length < 3) throw new Error('needs a progressive JPEG');
  // Just before the table segment that precedes the third scan (after the second scan's data).
  const at = jpegMarkers(jpeg).filter(([, o]) => o > scans[1]![1] && o < scans[2]![1])[0]![1];
  return cat(jpeg.subarray(0, at), ...segments, jpeg.subarray(at));
}

/**
 * An MPF (CIPA DC-007) file: `primary` with an APP2 MPF index inserted after SOI, then each secondary image
 * after the primary's EOI, as phones store depth maps, previews and the second camera's picture.
 */
export function mpf(primary: Uint8Array, ...secondary: Uint8Array[]): Uint8Array {
  const count = 1 + secondary.length;
  const index = (sizes: number[], offsets: number[]) => {
    const entriesAt = 8 + 2 + 3 * 12 + 4;
    const ifd = [
      ...u16(3),
      ...u16(0xb000),
      ...u16(7),
      ...u32(4),
      0x30,
      0x31,
      0x30,
      0x30, // MPFVersion "0100"
      ...u16(0xb001),
      ...u16(4),
      ...u32(1),
      ...u32(count), // NumberOfImages
      ...u16(0xb002),
      ...u16(7),
      ...u32(16 * count),
      ...u32(entriesAt), // MPEntry
      ...u32(0),
    ];
    const entries = sizes.flatMap((size, k) => [
      ...u32(k === 0 ? 0x030000 : 0x010002),
      ...u32(size),
      ...u32(offsets[k]!),
      0,
      0,
      0,
      0,
    ]);
    return appSegment(2, cat(enc.encode('MPF\0'), [0x4d, 0x4d, 0, 42, ...u32(8)], ifd, entries));
  };
  const segLen = index(new Array(count).fill(0), new Array(count).fill(0)).length;
  const primarySize = primary.length + segLen;
  const tiffAt = 2 + 8; // the MPF TIFF header: after SOI, the APP2 marker and length, and "MPF\0"
  const offsets = [0];
  let at = primarySize;
  for (const s of secondary) {
    offsets.push(at - tiffAt);
    at += s.length;
  }
  const seg = index([primarySize, ...secondary.map((s) => s.length)], offsets);
  return cat(primary.subarray(0, 2), seg, primary.subarray(2), ...secondary);
}

/** A motion photo: the still JPEG with the video appended after its EOI (Google's and Samsung's layout). */
export function motionPhoto(still: Uint8Array, video: Uint8Array): Uint8Array {
  return cat(still, video);
}

// ---------- MP4 ----------

export function box(type: string, ...children: (Uint8Array | number[])[]): Uint8Array {
  const body = cat(...children);
  return cat(
    u32(body.length + 8),
    Array.from(type, (c) => c.charCodeAt(0)),
    body,
  );
}
const full = (type: string, version: number, flags: number, ...children: (Uint8Array | number[])[]) =>
  box(type, [version, (flags >> 16) & 255, (flags >> 8) & 255, flags & 255], ...children);
const matrix = [
  ...u32(0x10000),
  ...u32(0),
  ...u32(0),
  ...u32(0),
  ...u32(0x10000),
  ...u32(0),
  ...u32(0),
  ...u32(0),
  ...u32(0x40000000),
];

/** GoPro GPMF: DEVC { STRM { SCAL, GPS5 } } with one fix (latitude, longitude, altitude, 2D and 3D speed). */
export function gpmfSample(lat: number, lon: number): Uint8Array {
  const klv = (key: string, type: string, size: number, repeat: number, data: number[]) => {
    const pad = (4 - ((size * repeat) % 4)) % 4;
    return cat(enc.encode(key), [type.charCodeAt(0), size, ...u16(repeat)], data, new Array(pad).fill(0));
  };
  const nest = (key: string, body: Uint8Array) => cat(enc.encode(key), [0, 4, ...u16(body.length / 4)], body);
  const scal = klv('SCAL', 'l', 4, 5, [10_000_000, 10_000_000, 1000, 1000, 100].flatMap(i32));
  const gps5 = klv('GPS5', 'l', 20, 1, [Math.round(lat * 1e7), Math.round(lon * 1e7), 42_000, 1_000, 100].flatMap(i32));
  const fix = klv('GPSF', 'L', 4, 1, u32(3));
  return nest('DEVC', nest('STRM', cat(fix, scal, gps5)));
}

/** Google CAMM packet type 5: position (latitude, longitude, altitude as little-endian float64). */
export function cammSample(lat: number, lon: number): Uint8Array {
  const d = new DataView(new ArrayBuffer(4 + 24));
  d.setUint16(2, 5, true);
  d.setFloat64(4, lat, true);
  d.setFloat64(12, lon, true);
  d.setFloat64(20, 42, true);
  return new Uint8Array(d.buffer);
}

interface Track {
  handler: string;
  /** The sample entry's format (e.g. 'avc1', 'gpmd', 'camm'). */
  format: string;
  samples: Uint8Array[];
}

function trak(id: number, t: Track, chunkOffset: number): Uint8Array {
  const video = t.handler === 'vide';
  const entry = video
    ? box(
        t.format,
        new Array(6).fill(0),
        u16(1),
        new Array(16).fill(0),
        u16(16),
        u16(16),
        u32(0x480000),
        u32(0x480000),
        u32(0),
        u16(1),
        new Array(32).fill(0),
        u16(24),
        u16(0xffff),
      )
    : box(t.format, new Array(6).fill(0), u16(1));
  const stbl = box(
    'stbl',
    full('stsd', 0, 0, u32(1), entry),
    full('stts', 0, 0, u32(1), u32(t.samples.length), u32(1000)),
    full('stsc', 0, 0, u32(1), u32(1), u32(t.samples.length), u32(1)),
    full(
      'stsz',
      0,
      0,
      u32(0),
      u32(t.samples.length),
      t.samples.flatMap((s) => u32(s.length)),
    ),
    full('stco', 0, 0, u32(1), u32(chunkOffset)),
  );
  const header = video ? full('vmhd', 0, 1, new Array(8).fill(0)) : full('nmhd', 0, 0);
  return box(
    'trak',
    full(
      'tkhd',
      0,
      3,
      u32(0),
      u32(0),
      u32(id),
      u32(0),
      u32(1000 * t.samples.length),
      new Array(8).fill(0),
      u16(0),
      u16(0),
      u16(0),
      u16(0),
      matrix,
      u32(video ? 16 << 16 : 0),
      u32(video ? 16 << 16 : 0),
    ),
    box(
      'mdia',
      full('mdhd', 0, 0, u32(0), u32(0), u32(1000), u32(1000 * t.samples.length), u16(0x55c4), u16(0)),
      full('hdlr', 0, 0, u32(0), enc.encode(t.handler), new Array(12).fill(0), enc.encode(`${t.handler} track\0`)),
      box('minf', header, box('dinf', full('dref', 0, 0, u32(1), full('url ', 0, 1))), stbl),
    ),
  );
}

/**
 * A small MP4 (ftyp, moov, mdat) with a 16×16 video track and the given extra tracks; every track's samples
 * form one chunk in mdat. Returns the file and where each track's samples start.
 */
export function mp4(extra: Track[]): { bytes: Uint8Array; sampleAt: number[] } {
  const tracks: Track[] = [{ handler: 'vide', format: 'avc1', samples: [new Uint8Array(32).fill(0x11)] }, ...extra];
  const ftyp = box('ftyp', enc.encode('isom'), u32(0x200), enc.encode('isomiso2mp41'));
  const build = (offsets: number[]) =>
    box(
      'moov',
      full(
        'mvhd',
        0,
        0,
        u32(0),
        u32(0),
        u32(1000),
        u32(1000),
        u32(0x10000),
        u16(0x100),
        new Array(10).fill(0),
        matrix,
        new Array(24).fill(0),
        u32(tracks.length + 1),
      ),
      ...tracks.map((t, k) => trak(k + 1, t, offsets[k]!)),
    );
  const moovLen = build(tracks.map(() => 0)).length;
  const offsets: number[] = [];
  let at = ftyp.length + moovLen + 8;
  for (const t of tracks) {
    offsets.push(at);
    at += t.samples.reduce((n, s) => n + s.length, 0);
  }
  const mdat = box('mdat', ...tracks.flatMap((t) => t.samples));
  return { bytes: cat(ftyp, build(offsets), mdat), sampleAt: offsets };
}

/** An MP4 with GPS in three timed-metadata tracks: GoPro gpmd and an Apple-style mebx (both under a `meta` handler), and Google camm. */
export function mp4WithGpsTracks(lat: number, lon: number) {
  return mp4([
    { handler: 'meta', format: 'gpmd', samples: [gpmfSample(lat, lon), gpmfSample(lat + 0.0001, lon)] },
    { handler: 'camm', format: 'camm', samples: [cammSample(lat, lon), cammSample(lat, lon + 0.0001)] },
    { handler: 'meta', format: 'mebx', samples: [enc.encode(`GPS ${lat},${lon}`)] },
  ]);
}
