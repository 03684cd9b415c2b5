// Reads a JSON array of base64 strings on stdin; for each, prints the blocks Go's encoding/pem
// Decode loop finds (type, headers, DER in hex), as one JSON array on stdout.
package main

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"os"
)

type block struct {
	Type    string            `json:"type"`
	Headers map[string]string `json:"headers"`
	Der     string            `json:"der"`
}

func main() {
	var inputs []string
	if err := json.NewDecoder(os.Stdin).Decode(&inputs); err != nil {
		panic(err)
	}
	out := make([][]block, 0, len(inputs))
	for _, in := range inputs {
		data, err := base64.StdEncoding.DecodeString(in)
		if err != nil {
			panic(err)
		}
		blocks := []block{}
		for {
			var b *pem.Block
			b, data = pem.Decode(data)
			if b == nil {
				break
			}
			blocks = append(blocks, block{b.Type, b.Headers, hex.EncodeToString(b.Bytes)})
		}
		out = append(out, blocks)
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		panic(err)
	}
}
