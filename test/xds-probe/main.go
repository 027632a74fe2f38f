// xds-probe: a test-only xDS client that connects to istiod as a sidecar in a namespace and prints the
// HTTP routes Istio sends it for one host and port — the Envoy config a real sidecar there would get.
//
//	xds-probe --address 127.0.0.1:PORT --namespace shop --host reviews --port 9080 [--once] [--no-ack]
//
// --router istio=ingressgateway --route http.80 --host app.example.com --port 80 makes it a gateway
// proxy with those labels instead (routes of Gateways that select it, for VirtualServices bound to them).
//
// One JSON line per push on stdout: {"nonce","version","routeConfig","virtualHost","routes":[...]}.
// "routes" is null while the host is not in the route config. Each route keeps only what we compare:
// name, path match, header matches, and the cluster or weighted clusters (Istio adds retries and
// timeouts of its own to every route, so whole-route JSON would not compare).
//
// --once exits after the first answer. --no-ack never acknowledges a push, so istiod (and
// `istioctl proxy-status`) sees a proxy that is stuck on stale config.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	core "github.com/envoyproxy/go-control-plane/envoy/config/core/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	discovery "github.com/envoyproxy/go-control-plane/envoy/service/discovery/v3"
	matcher "github.com/envoyproxy/go-control-plane/envoy/type/matcher/v3"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/structpb"
)

const routeType = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration"

type headerMatch struct {
	Name   string `json:"name"`
	Exact  string `json:"exact,omitempty"`
	Prefix string `json:"prefix,omitempty"`
	Regex  string `json:"regex,omitempty"`
	Invert bool   `json:"invert,omitempty"`
}

type weighted struct {
	Cluster string `json:"cluster"`
	Weight  uint32 `json:"weight"`
}

type routeOut struct {
	Name     string        `json:"name"`
	Prefix   string        `json:"prefix,omitempty"`
	Path     string        `json:"path,omitempty"`
	Regex    string        `json:"regex,omitempty"`
	Headers  []headerMatch `json:"headers,omitempty"`
	Cluster  string        `json:"cluster,omitempty"`
	Weighted []weighted    `json:"weightedClusters,omitempty"`
	Status   uint32        `json:"directResponse,omitempty"`
}

type pushOut struct {
	Nonce       string     `json:"nonce"`
	Version     string     `json:"version"`
	RouteConfig string     `json:"routeConfig"`
	VirtualHost string     `json:"virtualHost,omitempty"`
	Routes      []routeOut `json:"routes"`
}

func stringMatch(name string, m *matcher.StringMatcher, invert bool) headerMatch {
	h := headerMatch{Name: name, Invert: invert}
	switch p := m.GetMatchPattern().(type) {
	case *matcher.StringMatcher_Exact:
		h.Exact = p.Exact
	case *matcher.StringMatcher_Prefix:
		h.Prefix = p.Prefix
	case *matcher.StringMatcher_SafeRegex:
		h.Regex = p.SafeRegex.GetRegex()
	}
	return h
}

func describe(r *route.Route) routeOut {
	out := routeOut{Name: r.GetName()}
	m := r.GetMatch()
	switch p := m.GetPathSpecifier().(type) {
	case *route.RouteMatch_Prefix:
		out.Prefix = p.Prefix
	case *route.RouteMatch_Path:
		out.Path = p.Path
	case *route.RouteMatch_SafeRegex:
		out.Regex = p.SafeRegex.GetRegex()
	case *route.RouteMatch_PathSeparatedPrefix:
		out.Prefix = p.PathSeparatedPrefix
	}
	for _, h := range m.GetHeaders() {
		out.Headers = append(out.Headers, stringMatch(h.GetName(), h.GetStringMatch(), h.GetInvertMatch()))
	}
	if a := r.GetRoute(); a != nil {
		out.Cluster = a.GetCluster()
		for _, c := range a.GetWeightedClusters().GetClusters() {
			out.Weighted = append(out.Weighted, weighted{Cluster: c.GetName(), Weight: c.GetWeight().GetValue()})
		}
	}
	if d := r.GetDirectResponse(); d != nil {
		out.Status = d.GetStatus()
	}
	return out
}

// hostMatches: a virtual host serves `host:port` when one of its domains is that name (Istio lists
// the FQDN with and without the port, plus short forms for the proxy's own namespace).
func hostMatches(vh *route.VirtualHost, host string, port int) bool {
	for _, d := range vh.GetDomains() {
		if d == host || d == fmt.Sprintf("%s:%d", host, port) {
			return true
		}
	}
	return false
}

func main() {
	address := flag.String("address", os.Getenv("ISTIOD_ADDRESS"), "istiod's plaintext xDS address (host:port); default $ISTIOD_ADDRESS")
	namespace := flag.String("namespace", "default", "namespace the probe pretends to run in")
	host := flag.String("host", "", "service host: FQDN, or a short name in --namespace")
	port := flag.Int("port", 80, "service port (the route config is named after it)")
	name := flag.String("name", "xds-probe", "pod name in the node id (shows in istioctl proxy-status)")
	ip := flag.String("ip", "10.255.0.1", "pod IP in the node id")
	once := flag.Bool("once", false, "print the first answer and exit")
	noAck := flag.Bool("no-ack", false, "never ACK a push (a stuck proxy)")
	timeout := flag.Duration("timeout", 0, "give up after this long (0: run until stopped)")
	istioVersion := flag.String("istio-version", "1.31.0", "ISTIO_VERSION in the node metadata")
	router := flag.String("router", "", "be a gateway proxy with these labels (k=v,...) instead of a sidecar")
	routeName := flag.String("route", "", "route config to ask for (default: the port; a gateway's is http.PORT)")
	flag.Parse()
	if *address == "" || *host == "" {
		fmt.Fprintln(os.Stderr, "xds-probe: --address and --host are required")
		os.Exit(2)
	}
	fqdn := *host
	if !strings.Contains(fqdn, ".") {
		fqdn = fmt.Sprintf("%s.%s.svc.cluster.local", fqdn, *namespace)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	p := probe{address: *address, namespace: *namespace, name: *name, ip: *ip, istioVersion: *istioVersion,
		fqdn: fqdn, port: *port, once: *once, noAck: *noAck, routeName: *routeName, labels: map[string]any{"app": *name}}
	if p.routeName == "" {
		p.routeName = fmt.Sprint(*port)
	}
	if *router != "" {
		p.nodeType = "router"
		p.labels = map[string]any{}
		for _, kv := range strings.Split(*router, ",") {
			k, v, _ := strings.Cut(kv, "=")
			p.labels[k] = v
		}
	}
	if err := p.run(ctx); err != nil && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "xds-probe: %v\n", err)
		os.Exit(1)
	}
}

type probe struct {
	address, namespace, name, ip, istioVersion, fqdn, routeName string
	nodeType                                                    string
	port                                                        int
	once, noAck                                                 bool
	labels                                                      map[string]any
}

func (p probe) run(ctx context.Context) error {
	address, namespace, name, ip, istioVersion, fqdn, port, once, noAck := p.address, p.namespace, p.name, p.ip, p.istioVersion, p.fqdn, p.port, p.once, p.noAck
	nodeType := p.nodeType
	if nodeType == "" {
		nodeType = "sidecar"
	}
	conn, err := grpc.NewClient(address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return err
	}
	defer conn.Close()
	stream, err := discovery.NewAggregatedDiscoveryServiceClient(conn).StreamAggregatedResources(ctx)
	if err != nil {
		return err
	}
	meta, _ := structpb.NewStruct(map[string]any{
		"NAMESPACE": namespace, "CLUSTER_ID": "Kubernetes", "ISTIO_VERSION": istioVersion,
		"NAME": name, "LABELS": p.labels,
		// istiod lists a connection in its sync status (istioctl proxy-status) only when it has a proxy config.
		"PROXY_CONFIG": map[string]any{},
	})
	node := &core.Node{Id: fmt.Sprintf("%s~%s~%s.%s~%s.svc.cluster.local", nodeType, ip, name, namespace, namespace), Metadata: meta}
	routeName := p.routeName
	req := &discovery.DiscoveryRequest{Node: node, TypeUrl: routeType, ResourceNames: []string{routeName}}
	if err := stream.Send(req); err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	for {
		resp, err := stream.Recv()
		if err != nil {
			return err
		}
		out := pushOut{Nonce: resp.GetNonce(), Version: resp.GetVersionInfo(), RouteConfig: routeName}
		for _, res := range resp.GetResources() {
			rc := &route.RouteConfiguration{}
			if err := res.UnmarshalTo(rc); err != nil || rc.GetName() != routeName {
				continue
			}
			for _, vh := range rc.GetVirtualHosts() {
				if !hostMatches(vh, fqdn, port) {
					continue
				}
				out.VirtualHost = vh.GetName()
				out.Routes = []routeOut{}
				for _, r := range vh.GetRoutes() {
					out.Routes = append(out.Routes, describe(r))
				}
			}
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
		if once {
			return nil
		}
		if noAck {
			continue
		}
		ack := &discovery.DiscoveryRequest{Node: node, TypeUrl: routeType, ResourceNames: []string{routeName},
			VersionInfo: resp.GetVersionInfo(), ResponseNonce: resp.GetNonce()}
		if err := stream.Send(ack); err != nil {
			return err
		}
	}
}
