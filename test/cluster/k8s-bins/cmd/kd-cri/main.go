// kd-cri: a tiny CRI client used by test/cluster/down.sh (crictl's module, sigs.k8s.io/cri-tools,
// is not served by the Go module proxy this project can reach, so we carry the few calls we need).
//
//	kd-cri [--endpoint unix:///run/containerd/containerd.sock] version|pods|ps|rmp-all
//
// rmp-all stops and removes every pod sandbox (StopPodSandbox runs the CNI DEL, so veths and
// host-local IP leases go away) and every container, like `crictl rmp -fa`.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	runtime "k8s.io/cri-api/pkg/apis/runtime/v1"
)

func main() {
	endpoint := flag.String("endpoint", "unix:///run/containerd/containerd.sock", "CRI endpoint")
	timeout := flag.Duration("timeout", 60*time.Second, "overall timeout")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: kd-cri [--endpoint URL] version|pods|ps|rmp-all")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	conn, err := grpc.NewClient(*endpoint, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		fail(err)
	}
	defer conn.Close()
	rs := runtime.NewRuntimeServiceClient(conn)
	switch flag.Arg(0) {
	case "version":
		v, err := rs.Version(ctx, &runtime.VersionRequest{})
		if err != nil {
			fail(err)
		}
		fmt.Printf("%s %s (CRI %s)\n", v.RuntimeName, v.RuntimeVersion, v.RuntimeApiVersion)
	case "pods":
		r, err := rs.ListPodSandbox(ctx, &runtime.ListPodSandboxRequest{})
		if err != nil {
			fail(err)
		}
		for _, p := range r.Items {
			fmt.Printf("%.13s\t%s\t%s/%s\n", p.Id, p.State, p.Metadata.Namespace, p.Metadata.Name)
		}
	case "ps":
		r, err := rs.ListContainers(ctx, &runtime.ListContainersRequest{})
		if err != nil {
			fail(err)
		}
		for _, c := range r.Containers {
			fmt.Printf("%.13s\t%s\t%s\t%.13s\n", c.Id, c.State, c.Metadata.Name, c.PodSandboxId)
		}
	case "rmp-all":
		r, err := rs.ListPodSandbox(ctx, &runtime.ListPodSandboxRequest{})
		if err != nil {
			fail(err)
		}
		bad := 0
		for _, p := range r.Items {
			if _, err := rs.StopPodSandbox(ctx, &runtime.StopPodSandboxRequest{PodSandboxId: p.Id}); err != nil {
				fmt.Fprintf(os.Stderr, "stop %s: %v\n", p.Id, err)
				bad++
			}
			if _, err := rs.RemovePodSandbox(ctx, &runtime.RemovePodSandboxRequest{PodSandboxId: p.Id}); err != nil {
				fmt.Fprintf(os.Stderr, "remove %s: %v\n", p.Id, err)
				bad++
			}
		}
		cs, err := rs.ListContainers(ctx, &runtime.ListContainersRequest{})
		if err == nil {
			for _, c := range cs.Containers {
				_, _ = rs.RemoveContainer(ctx, &runtime.RemoveContainerRequest{ContainerId: c.Id})
			}
		}
		fmt.Printf("removed %d pod sandboxes\n", len(r.Items))
		if bad > 0 {
			os.Exit(1)
		}
	default:
		fmt.Fprintln(os.Stderr, "unknown command", flag.Arg(0))
		os.Exit(2)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "kd-cri:", err)
	os.Exit(1)
}
