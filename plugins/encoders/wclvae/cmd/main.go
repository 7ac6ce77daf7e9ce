// Command latentbench-encoder-wclvae serves the wclvae encoder of package vae.
package main

import (
	"github.com/latentbench/latentbench/plugins/encoders/vae"
	"github.com/latentbench/latentbench/sdk"
)

func main() { sdk.ServeEncoder(vae.Plugin(vae.VariantWeighted)) }
