//go:build !unix

package main

// maxConns is a fixed bound where the descriptor limit cannot be read.
func maxConns() int { return connsCeiling }
