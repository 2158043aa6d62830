package web

// routeT lets the external test package name the route type.
type RouteT = route
