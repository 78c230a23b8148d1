package questions_test

import (
	"io/fs"
	"testing/fstest"
)

// mapFS builds an in-memory bank folder.
type mapFS map[string][]byte

func (m mapFS) Open(name string) (fs.File, error) {
	f := fstest.MapFS{}
	for k, v := range m {
		f[k] = &fstest.MapFile{Data: v}
	}
	return f.Open(name)
}
