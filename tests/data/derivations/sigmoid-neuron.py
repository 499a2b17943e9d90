# The 2-input sigmoid neuron of the cs231n notes (section "Modularity: Sigmoid example"),
# w = [2, -3, -3], x = [-1, -2], written with scalars: the notes' backward pass, where the
# gradient of the dot product is (1 - f) * f.
w0 = 2; w1 = -3; w2 = -3
x0 = -1; x1 = -2
dot = w0*x0 + w1*x1 + w2
f = 1.0 / (1 + math.exp(-dot))  # the sigmoid
# backward pass through the neuron
ddot = (1 - f) * f  # gradient on dot, using the sigmoid's local gradient
dx0 = w0 * ddot
dx1 = w1 * ddot
dw0 = x0 * ddot
dw1 = x1 * ddot
dw2 = 1.0 * ddot
